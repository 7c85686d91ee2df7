import { strict as assert } from "node:assert";
import {
  dnsDomainOfDn,
  filetimeToIso,
  FILETIME_NEVER,
  generalizedTimeToIso,
  isoToFiletime,
  isoToGeneralizedTime,
  isPrivilegedGroupSid,
  normalizeDnForComparison,
  parentDn,
  ridOf,
  sidFromBytes,
  sidToBytes,
  splitDn,
} from "../src/sources/ad/decode.js";

describe("AD value decoding (src/sources/ad/decode.ts)", () => {
  describe("SIDs", () => {
    it("decodes a known binary SID and encodes it back byte for byte", () => {
      const bytes = Buffer.from("010500000000000515000000c7353a428e6b748455a1aec651040000", "hex");
      const sid = sidFromBytes(bytes);
      assert.equal(sid, "S-1-5-21-1111111111-2222222222-3333333333-1105");
      assert.deepEqual(Buffer.from(sidToBytes(sid)), bytes);
      assert.equal(ridOf(sid), 1105);
    });

    it("round-trips builtin and well-known SIDs", () => {
      for (const sid of ["S-1-5-32-544", "S-1-5-18", "S-1-1-0", "S-1-5-21-0-0-0-4294967295"]) {
        assert.equal(sidFromBytes(sidToBytes(sid)), sid);
      }
    });

    it("rejects truncated and inconsistent byte strings", () => {
      assert.throws(() => sidFromBytes(Buffer.from([1, 5, 0, 0, 0])), /too short/);
      assert.throws(() => sidFromBytes(sidToBytes("S-1-5-21-1-2-3-4").subarray(0, 20)), /does not match 5 sub-authorities/);
      assert.throws(() => sidToBytes("not-a-sid"), /not a SID/);
    });

    it("recognises the privileged groups by builtin SID or domain RID", () => {
      assert.equal(isPrivilegedGroupSid("S-1-5-32-544"), true);
      assert.equal(isPrivilegedGroupSid("S-1-5-21-1-2-3-512"), true);
      assert.equal(isPrivilegedGroupSid("S-1-5-21-1-2-3-519"), true);
      assert.equal(isPrivilegedGroupSid("S-1-5-21-1-2-3-513"), false);
      assert.equal(isPrivilegedGroupSid("S-1-5-32-555"), false);
    });
  });

  describe("FILETIME", () => {
    it("converts a known value both ways", () => {
      // 2020-09-04T07:00:00Z = 1 599 202 800 000 ms after 1970; + 11 644 473 600 000 ms to 1601; × 10 000 ticks/ms.
      assert.equal(filetimeToIso("132436764000000000"), "2020-09-04T07:00:00.000Z");
      assert.equal(isoToFiletime("2020-09-04T07:00:00.000Z"), "132436764000000000");
      // The value sometimes quoted for that instant is really 2020-09-06T23:40Z.
      assert.equal(filetimeToIso("132439092000000000"), "2020-09-06T23:40:00.000Z");
    });

    it("reads both never encodings and negative values as absent", () => {
      assert.equal(filetimeToIso("0"), undefined);
      assert.equal(filetimeToIso(FILETIME_NEVER.toString()), undefined);
      assert.equal(filetimeToIso("9223372036854775807"), undefined);
      assert.equal(filetimeToIso("-1"), undefined);
    });

    it("rejects text and out-of-range values with a message naming the value", () => {
      assert.throws(() => filetimeToIso("yesterday"), /not a FILETIME: "yesterday"/);
      assert.throws(() => filetimeToIso("99999999999999999999"), /out of range/);
    });
  });

  describe("GeneralizedTime", () => {
    it("parses the AD form and offsets, and round-trips", () => {
      assert.equal(generalizedTimeToIso("20200904070000.0Z"), "2020-09-04T07:00:00.000Z");
      assert.equal(generalizedTimeToIso("20200904090000.0+0200"), "2020-09-04T07:00:00.000Z");
      assert.equal(generalizedTimeToIso("20200904070000Z"), "2020-09-04T07:00:00.000Z");
      assert.equal(isoToGeneralizedTime("2020-09-04T07:00:00.000Z"), "20200904070000.0Z");
      assert.equal(generalizedTimeToIso(isoToGeneralizedTime("2024-02-29T23:59:59.000Z")), "2024-02-29T23:59:59.000Z");
    });

    it("rejects malformed values", () => {
      assert.throws(() => generalizedTimeToIso("2020-09-04"), /not a GeneralizedTime/);
      assert.throws(() => generalizedTimeToIso("20201304070000.0Z"), /not a valid GeneralizedTime/);
    });
  });

  describe("DNs", () => {
    it("splits on unescaped commas only", () => {
      assert.deepEqual(splitDn("CN=Berg\\, Åsa,OU=Soc,DC=x,DC=local"), ["CN=Berg\\, Åsa", "OU=Soc", "DC=x", "DC=local"]);
      assert.deepEqual(splitDn('CN="Berg, Åsa",OU=Soc'), ['CN="Berg, Åsa"', "OU=Soc"]);
      assert.equal(parentDn("CN=Berg\\, Åsa,OU=Soc,DC=x,DC=local"), "OU=Soc,DC=x,DC=local");
      assert.equal(dnsDomainOfDn("CN=a,OU=b,DC=Exempelkommun,DC=Local"), "exempelkommun.local");
    });

    it("normalises case and spacing for comparison", () => {
      assert.equal(
        normalizeDnForComparison("cn=Berg\\, Åsa, ou = SOC ,DC=X"),
        normalizeDnForComparison("CN=Berg\\, åsa,OU=Soc,DC=x"),
      );
    });
  });
});

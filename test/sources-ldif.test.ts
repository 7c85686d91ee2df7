import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { isoToFiletime, sidFromBytes, sidToBytes } from "../src/sources/ad/decode.js";
import { readAdLdif } from "../src/sources/exports/ad-ldif.js";
import {
  attributeBaseName,
  attributeOptions,
  firstTextOf,
  firstValueOf,
  parseLdifLines,
  readLdifFile,
  textsOf,
  valuesOf,
  type LdifEntry,
  type LdifRecord,
} from "../src/sources/exports/ldif.js";
import type { PhysicalLine } from "../src/sources/exports/lines.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/exports/ad/", import.meta.url));
const basicLdif = join(fixtures, "basic.ldif");
const badLdif = join(fixtures, "bad.ldif");
const DOMAIN_SID = "S-1-5-21-1111111111-2222222222-3333333333";
const base64 = (value: string | Uint8Array) => Buffer.from(value).toString("base64");

async function parseText(text: string): Promise<LdifRecord[]> {
  async function* lines(): AsyncGenerator<PhysicalLine> {
    let lineNumber = 0;
    for (const line of text.split("\n")) yield { lineNumber: ++lineNumber, bytes: Buffer.from(line.replace(/\r$/, ""), "utf8") };
  }
  const records: LdifRecord[] = [];
  for await (const record of parseLdifLines(lines())) records.push(record);
  return records;
}

function entriesOf(records: LdifRecord[]): LdifEntry[] {
  return records.flatMap((record) => (record.kind === "entry" ? [record.entry] : []));
}

describe("LDIF parser (src/sources/exports/ldif.ts)", () => {
  it("handles version, folded comments, folded values, dn:: and case-insensitive names", async () => {
    const dn = "CN=Öberg\\, Åsa,OU=Socialtjänst,DC=x,DC=local";
    const encodedDn = base64(dn);
    const records = await parseText(
      [
        "version: 1",
        "# a comment",
        "  that is folded: dn: not an entry",
        `dn:: ${encodedDn.slice(0, 20)}`,
        ` ${encodedDn.slice(20)}`,
        "objectClass: top",
        "ObjectClass: user",
        "description: first ",
        " half and second half",
        "sAMAccountName:asa",
        "empty:",
        "",
        "",
        "dn: CN=b,DC=x,DC=local",
        "cn: b",
      ].join("\n"),
    );
    assert.equal(records.length, 2);
    const [first, second] = entriesOf(records);
    assert.equal(first!.dn, dn);
    assert.equal(first!.line, 4);
    assert.deepEqual(textsOf(first!, "objectclass"), ["top", "user"]);
    assert.equal(first!.attributes.get("objectclass")!.name, "objectClass");
    assert.equal(firstTextOf(first!, "DESCRIPTION"), "first half and second half");
    assert.equal(firstTextOf(first!, "samaccountname"), "asa");
    assert.equal(firstTextOf(first!, "empty"), "");
    assert.equal(firstValueOf(first!, "description")!.line, 8);
    assert.equal(second!.dn, "CN=b,DC=x,DC=local");
    assert.equal(second!.line, 14);
  });

  it("keeps binary values as bytes and attribute options in the name", async () => {
    const sidBytes = Buffer.from(sidToBytes(`${DOMAIN_SID}-1105`));
    const records = await parseText(
      [
        "dn: CN=G,DC=x",
        `objectSid:: ${base64(sidBytes)}`,
        "member;range=0-1: CN=a,DC=x",
        "member;range=0-1: CN=b,DC=x",
        "Member;Range=2-*: CN=c,DC=x",
        `userCertificate;binary:: ${base64(Buffer.from([0x30, 0x82, 0xff]))}`,
      ].join("\n"),
    );
    const [entry] = entriesOf(records);
    const sid = firstValueOf(entry!, "objectSid")!;
    assert.equal(sid.base64, true);
    assert.deepEqual(sid.bytes, sidBytes);
    assert.equal(sidFromBytes(sid.bytes), `${DOMAIN_SID}-1105`);
    assert.deepEqual([...entry!.attributes.keys()], ["objectsid", "member;range=0-1", "member;range=2-*", "usercertificate;binary"]);
    assert.deepEqual(textsOf(entry!, "member"), ["CN=a,DC=x", "CN=b,DC=x", "CN=c,DC=x"]);
    assert.deepEqual(valuesOf(entry!, "userCertificate")[0]!.bytes, Buffer.from([0x30, 0x82, 0xff]));
    assert.equal(attributeBaseName("member;range=0-1499"), "member");
    assert.deepEqual(attributeOptions("Member;Range=0-1499;binary"), ["range=0-1499", "binary"]);
  });

  it("undoes folding that splits a multi-byte character before decoding", async () => {
    const bytes = Buffer.from("description: Socialtjänst", "utf8");
    const split = bytes.indexOf(0xc3) + 1; // between the two bytes of "ä"
    async function* lines(): AsyncGenerator<PhysicalLine> {
      yield { lineNumber: 1, bytes: Buffer.from("dn: CN=a,DC=x") };
      yield { lineNumber: 2, bytes: bytes.subarray(0, split) };
      yield { lineNumber: 3, bytes: Buffer.concat([Buffer.from(" "), bytes.subarray(split)]) };
    }
    const records: LdifRecord[] = [];
    for await (const record of parseLdifLines(lines())) records.push(record);
    assert.equal(firstTextOf(entriesOf(records)[0]!, "description"), "Socialtjänst");
  });

  it("accepts ldifde's 'changetype: add' and rejects other change records with their start line", async () => {
    const records = await parseText(
      [
        "dn: CN=a,DC=x",
        "changetype: add",
        "cn: a",
        "",
        "dn: CN=b,DC=x",
        "changetype: modify",
        "replace: cn",
        "cn: b",
        "-",
        "",
        "dn: CN=c,DC=x",
        "changetype: delete",
        "",
        "dn: CN=d,DC=x",
        "cn: d",
      ].join("\n"),
    );
    assert.deepEqual(entriesOf(records).map((entry) => entry.dn), ["CN=a,DC=x", "CN=d,DC=x"]);
    assert.equal(entriesOf(records)[0]!.attributes.has("changetype"), false);
    const rejected = records.filter((record) => record.kind === "rejected");
    assert.deepEqual(
      rejected.map((record) => [record.line, record.field]),
      [
        [5, "changetype"],
        [11, "changetype"],
      ],
    );
    assert.match(rejected[0]!.message, /line 6: LDIF change records \("changetype: modify"\) are not supported/);
  });

  it("rejects bad records and reads the records around them", async () => {
    const records = await parseText(
      [
        "dn: CN=ok1,DC=x",
        "cn: ok1",
        "",
        "cn: no dn first",
        "",
        "dn: CN=bad64,DC=x",
        "objectSid:: AQUA$$$$",
        "",
        "dn: CN=url,DC=x",
        "jpegPhoto:< file:///etc/passwd",
        "",
        " orphan continuation",
        "dn: CN=orphan,DC=x",
        "",
        "dn: CN=ok2,DC=x",
        "cn: ok2",
      ].join("\n"),
    );
    assert.deepEqual(entriesOf(records).map((entry) => entry.dn), ["CN=ok1,DC=x", "CN=ok2,DC=x"]);
    const rejected = records.filter((record) => record.kind === "rejected");
    assert.deepEqual(
      rejected.map(({ line, field }) => ({ line, field })),
      [
        { line: 4, field: undefined },
        { line: 6, field: "objectSid" },
        { line: 9, field: "jpegPhoto" },
        { line: 13, field: undefined },
      ],
    );
    assert.match(rejected[0]!.message, /does not start with "dn:"/);
    assert.match(rejected[1]!.message, /line 7: invalid base64 value for "objectSid"/);
    assert.match(rejected[2]!.message, /URL values .* not supported/);
    assert.match(rejected[3]!.message, /line 12: continuation line/);
  });

  it("skips the search/result summary that ldapsearch without -LLL appends", async () => {
    const records = await parseText(
      ["# extended LDIF", "#", "dn: CN=a,DC=x", "cn: a", "", "# search result", "search: 2", "result: 0 Success", "", "# numEntries: 1"].join("\n"),
    );
    assert.deepEqual(records.map((record) => record.kind), ["entry"]);
  });

  it("reads gzip-compressed and UTF-16LE files by content, not by extension", async () => {
    const folder = await mkdtemp(join(tmpdir(), "kontokoll-ldif-"));
    try {
      const text = "version: 1\r\n\r\ndn:: " + base64("CN=Åsa,DC=x") + "\r\ncn: Åsa\r\n";
      const gzipped = join(folder, "export.ldif");
      await writeFile(gzipped, gzipSync(Buffer.from(text, "utf8")));
      const utf16 = join(folder, "export-utf16.ldf");
      await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
      for (const file of [gzipped, utf16]) {
        const records: LdifRecord[] = [];
        for await (const record of readLdifFile(file)) records.push(record);
        assert.equal(records.length, 1, file);
        const [entry] = entriesOf(records);
        assert.equal(entry!.dn, "CN=Åsa,DC=x");
        assert.equal(entry!.line, 3);
        assert.equal(firstTextOf(entry!, "cn"), "Åsa");
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("AD LDIF export reader (src/sources/exports/ad-ldif.ts)", () => {
  const key = (rid: number) => `ad:${DOMAIN_SID}-${rid}`;

  it("maps users, computers, groups and the domain from an ldifde export", async () => {
    const result = await readAdLdif([basicLdif]);
    assert.equal(result.coverage.source, "ad");
    assert.equal(result.coverage.ran, true);
    assert.equal(result.coverage.error, undefined);
    assert.equal(result.coverage.origin, basicLdif);
    // domain, OU, 3 users, computer, 4 groups, crossRef, contact
    assert.equal(result.coverage.recordsRead, 12);
    assert.equal(result.coverage.recordsRejected, 0);
    assert.deepEqual(result.domains, [{ dnsName: "exempelkommun.local", sid: DOMAIN_SID, netbios: "EXEMPELKOMMUN" }]);

    assert.deepEqual(result.accounts.map((account) => account.key), [key(1105), key(1106), key(1107)]);
    const asa = result.accounts[0]!;
    assert.deepEqual(asa, {
      key: key(1105),
      source: "ad",
      objectId: `${DOMAIN_SID}-1105`,
      directory: "exempelkommun.local",
      enabled: true,
      directGroupKeys: [key(3001)],
      samAccountName: "asa.berg",
      userPrincipalName: "asa.berg@exempelkommun.se",
      displayName: "Åsa Berg",
      givenName: "Åsa",
      surname: "Berg",
      mail: "asa.berg@exempelkommun.se",
      employeeId: "10042",
      departmentAttribute: "Socialtjänst",
      title: "Socialsekreterare",
      description: "Handläggare",
      distinguishedName: "CN=Berg\\, Åsa,OU=Socialtjänst,DC=exempelkommun,DC=local",
      organisationalUnit: "OU=Socialtjänst,DC=exempelkommun,DC=local",
      managerReference: "CN=Per Karlsson,OU=IT,DC=exempelkommun,DC=local",
      managerKey: key(1106),
      createdAt: "2020-09-04T07:00:00.000Z",
      lastLogonTimestampAt: "2020-09-04T07:00:00.000Z",
      primaryGroupId: 513,
      userAccountControl: 512,
    });
    assert.equal("passwordLastSetAt" in asa, false, "pwdLastSet 0 is 'must change', not a date");
    assert.equal("expiresAt" in asa, false, "accountExpires 0x7FFF… is 'never'");

    const per = result.accounts[1]!;
    assert.equal(per.enabled, false);
    assert.equal(per.userAccountControl, 66050);
    assert.equal(per.samAccountName, "per.karlsson", "upper-case attribute names are read");
    assert.equal(per.passwordLastSetAt, "2019-01-02T03:04:05.000Z");
    assert.equal(per.expiresAt, "2030-12-31T23:00:00.000Z");
    assert.equal(per.adminCount, 1);
    assert.deepEqual(per.servicePrincipalNames, ["HTTP/intranet.exempelkommun.local", "HTTP/intranet"]);
    assert.deepEqual(per.directGroupKeys, [key(512), key(3002)]);

    const service = result.accounts[2]!;
    assert.deepEqual(service.unreadableAttributes, ["useraccountcontrol"]);
    assert.equal(service.userAccountControl, undefined);
    assert.deepEqual(service.directGroupKeys, [key(3002)], "membership known only from the group's member list");

    assert.deepEqual(result.devices, [
      {
        key: key(2001),
        source: "ad",
        objectId: `${DOMAIN_SID}-2001`,
        name: "WS001",
        organisationalUnit: "OU=Datorer,DC=exempelkommun,DC=local",
        enabled: false,
        dnsHostName: "ws001.exempelkommun.local",
        operatingSystem: "Windows 11 Enterprise",
        operatingSystemVersion: "10.0 (22631)",
        lastLogonTimestampAt: "2024-05-01T06:00:00.000Z",
        createdAt: "2021-01-15T12:00:00.000Z",
      },
    ]);
  });

  it("resolves member DNs case-insensitively, keeps foreign ones and merges ranged members", async () => {
    const { groups } = await readAdLdif([basicLdif]);
    const byName = new Map(groups.map((group) => [group.name, group]));
    const social = byName.get("G-Socialsekreterare")!;
    assert.equal(social.key, key(3001));
    assert.equal(social.description, "Alla socialsekreterare");
    assert.equal(social.privileged, false);
    assert.deepEqual(social.directMemberKeys, [
      key(1105),
      key(2001),
      "ad-dn:CN=S-1-5-21-9-9-9-1001,CN=ForeignSecurityPrincipals,DC=exempelkommun,DC=local",
    ]);
    assert.deepEqual(social.transitiveAccountKeys, []);
    const domainAdmins = byName.get("Domain Admins")!;
    assert.equal(domainAdmins.privileged, true);
    assert.deepEqual(domainAdmins.directMemberKeys, [key(1106), key(3001)]);
    assert.equal(byName.get("Administrators")!.privileged, true);
    assert.deepEqual(byName.get("Administrators")!.directMemberKeys, [key(512)]);
    assert.equal(byName.get("Stor Grupp")!.name, "Stor Grupp", "falls back to the RDN without cn/sAMAccountName");
  });

  it("reports missing data: unreadable userAccountControl, unresolved memberOf, cut member ranges", async () => {
    const { coverage } = await readAdLdif([basicLdif]);
    const items = new Map(coverage.missing.map((missing) => [missing.item, missing.why]));
    assert.match(items.get("ad.userAccountControl")!, /^1 of 3 user entries have no readable userAccountControl/);
    assert.match(items.get("ad.memberOf")!, /^1 memberOf values name groups that are not in the export/);
    assert.match(items.get("ad.group.member")!, /CN=Stor Grupp/);
    assert.equal(items.has("ad.lastLogonTimestamp"), false, "only 3 users");
  });

  it("rejects bad entries with file, line and field and keeps reading", async () => {
    const { accounts, coverage } = await readAdLdif([badLdif]);
    assert.deepEqual(accounts.map((account) => account.key), [key(1201), key(1204)]);
    assert.equal(coverage.ran, true);
    assert.equal(coverage.recordsRead, 2);
    assert.equal(coverage.recordsRejected, 9);
    assert.deepEqual(
      coverage.rejected.map(({ file, line, field }) => ({ file, line, field })),
      [
        { file: badLdif, line: 6, field: "objectSid" },
        { file: badLdif, line: 10, field: "objectSid" },
        { file: badLdif, line: 14, field: "lastLogonTimestamp" },
        { file: badLdif, line: 19, field: "whenCreated" },
        { file: badLdif, line: 24, field: "changetype" },
        { file: badLdif, line: 30, field: "objectSid" },
        { file: badLdif, line: 34, field: "jpegPhoto" },
        { file: badLdif, line: 38, field: undefined },
        { file: badLdif, line: 47, field: "objectSid" },
      ],
    );
    const messages = coverage.rejected.map((rejected) => rejected.message);
    assert.match(messages[0]!, /invalid base64/);
    assert.equal(messages[1], "invalid objectSid: SID too short: 5 bytes");
    assert.equal(messages[2], 'not a FILETIME: "yesterday"');
    assert.equal(messages[5], "objectSid missing");
    // The last entry was cut mid-value: the SID bytes do not add up.
    assert.equal(messages[8], "invalid objectSid: SID length 12 does not match 5 sub-authorities");
  });

  it("reports a missing file without throwing, and still reads the others", async () => {
    const missing = join(fixtures, "does-not-exist.ldif");
    const alone = await readAdLdif([missing]);
    assert.equal(alone.coverage.ran, false);
    assert.match(alone.coverage.error!, /cannot read .*does-not-exist\.ldif: ENOENT/);
    assert.deepEqual(alone.accounts, []);

    const mixed = await readAdLdif([missing, basicLdif]);
    assert.equal(mixed.coverage.ran, true);
    assert.match(mixed.coverage.error!, /does-not-exist\.ldif/);
    assert.equal(mixed.accounts.length, 3);
  });

  it("rejects a second entry with the same objectSid (e.g. the same file given twice)", async () => {
    const { accounts, coverage } = await readAdLdif([basicLdif, basicLdif]);
    assert.equal(accounts.length, 3);
    assert.equal(coverage.recordsRejected, 8);
    assert.match(coverage.rejected[0]!.message, /duplicate objectSid .*already read from .*basic\.ldif:\d+/);
  });

  it("flags lastLogonTimestamp as missing when no user among more than 10 carries it", async () => {
    const folder = await mkdtemp(join(tmpdir(), "kontokoll-ad-"));
    try {
      const entry = (rid: number, withLogon: boolean) =>
        [
          `dn: CN=user${rid},OU=Staff,DC=x,DC=local`,
          "objectClass: user",
          "userAccountControl: 512",
          `objectSid:: ${base64(sidToBytes(`${DOMAIN_SID}-${rid}`))}`,
          ...(withLogon ? [`lastLogonTimestamp: ${isoToFiletime("2024-01-01T00:00:00.000Z")}`] : []),
        ].join("\n");
      const without = join(folder, "without.ldif");
      await writeFile(without, Array.from({ length: 11 }, (_, i) => entry(2000 + i, false)).join("\n\n"));
      const withOne = join(folder, "with-one.ldif");
      await writeFile(withOne, Array.from({ length: 11 }, (_, i) => entry(2000 + i, i === 5)).join("\n\n"));

      const missing = (await readAdLdif([without])).coverage.missing;
      assert.deepEqual(missing.map((entry) => entry.item), ["ad.lastLogonTimestamp"]);
      assert.match(missing[0]!.why, /absent on every user entry \(11\)/);
      assert.deepEqual((await readAdLdif([withOne])).coverage.missing, []);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

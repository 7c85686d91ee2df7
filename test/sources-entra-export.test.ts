import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { readEntraExport } from "../src/sources/exports/entra-export.js";

const exportFolder = fileURLToPath(new URL("../../test/fixtures/exports/entra", import.meta.url));
const usersFile = join(exportFolder, "v1.0", "users.jsonl");
const signInsFile = join(exportFolder, "v1.0", "auditLogs", "signIns.jsonl");
const user = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const group = (n: number) => `10000000-0000-4000-8000-00000000000${n}`;
const device = (n: number) => `20000000-0000-4000-8000-00000000000${n}`;

function page(value: unknown[], nextLink?: string): string {
  return JSON.stringify({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    value,
    ...(nextLink === undefined ? {} : { "@odata.nextLink": nextLink }),
  });
}

describe("Entra export reader (src/sources/exports/entra-export.ts)", () => {
  it("maps users with signInActivity, manager and group memberships", async () => {
    const result = await readEntraExport(exportFolder);
    assert.equal(result.tenantDomain, "exempelkommun.se");
    assert.deepEqual(
      result.accounts.map((account) => account.key),
      [user(1), user(2), user(3), user(5)].map((id) => `entra:${id}`),
    );
    const anna = result.accounts[0]!;
    assert.deepEqual(anna, {
      key: `entra:${user(1)}`,
      source: "entra",
      objectId: user(1),
      directory: "exempelkommun.se",
      enabled: true,
      directGroupKeys: [`entra:${group(1)}`, `entra:${group(2)}`],
      userPrincipalName: "anna.andersson@exempelkommun.se",
      displayName: "Anna Andersson",
      givenName: "Anna",
      surname: "Andersson",
      mail: "anna.andersson@exempelkommun.se",
      employeeId: "20017",
      departmentAttribute: "Socialtjänst",
      title: "Socialsekreterare",
      userType: "Member",
      createdAt: "2021-03-01T08:00:00.000Z",
      onPremisesSyncEnabled: true,
      onPremisesSecurityIdentifier: "S-1-5-21-1111111111-2222222222-3333333333-1105",
      samAccountName: "anna.andersson",
      lastInteractiveSignInAt: "2024-05-02T07:15:00.000Z",
      lastNonInteractiveSignInAt: "2024-05-03T10:00:00.123Z",
      lastSuccessfulSignInAt: "2024-05-03T10:00:00.000Z",
      managerReference: user(2),
      managerKey: `entra:${user(2)}`,
    });
    const bo = result.accounts[1]!;
    assert.equal(bo.enabled, false);
    assert.equal(bo.lastInteractiveSignInAt, undefined, "null signInActivity dates are absent");
    assert.equal(bo.onPremisesSyncEnabled, undefined);
    const guest = result.accounts[2]!;
    assert.equal(guest.userType, "Guest");
    assert.equal(guest.managerReference, user(9));
    assert.equal(guest.managerKey, undefined, "manager not in the export");
    const cecilia = result.accounts[3]!;
    assert.equal(cecilia.employeeId, undefined, "empty string is absent");
    assert.equal(cecilia.directory, "exempelkommun.se");
  });

  it("maps groups with direct members from .jsonl and pretty-printed .json member files", async () => {
    const { groups } = await readEntraExport(exportFolder);
    assert.deepEqual(
      groups.map((entry) => [entry.key, entry.name, entry.directMemberKeys]),
      [
        [
          `entra:${group(1)}`,
          "Socialtjänst alla",
          [`entra:${user(1)}`, `entra:${group(2)}`, `entra:${device(1)}`, "entra-other:30000000-0000-4000-8000-000000000001"],
        ],
        [`entra:${group(2)}`, "Chefer", [`entra:${user(2)}`, `entra:${user(1)}`]],
        [`entra:${group(3)}`, "Tom grupp", []],
      ],
    );
    assert.equal(groups[0]!.onPremisesSecurityIdentifier, "S-1-5-21-1111111111-2222222222-3333333333-3001");
    assert.equal(groups[0]!.description, "Alla i socialtjänsten");
  });

  it("maps devices and role assignments", async () => {
    const { devices, directoryRoles, coverage } = await readEntraExport(exportFolder);
    assert.deepEqual(devices[0], {
      key: `entra:${device(1)}`,
      source: "entra",
      objectId: device(1),
      name: "SOC-LT-001",
      enabled: true,
      entraDeviceId: "aaaaaaaa-0000-4000-8000-000000000001",
      operatingSystem: "Windows",
      operatingSystemVersion: "10.0.22631.3447",
      lastLogonTimestampAt: "2024-05-03T06:30:00.000Z",
      createdAt: "2022-09-01T10:00:00.000Z",
      trustType: "ServerAd",
      isCompliant: true,
      isManaged: true,
    });
    assert.equal(devices[1]!.lastLogonTimestampAt, undefined, "0001-01-01 is Graph's 'never'");
    assert.equal(devices[1]!.isCompliant, undefined);
    assert.deepEqual(directoryRoles, [
      {
        roleName: "Global Administrator",
        roleDefinitionId: "62e90394-69f5-4237-9190-012177145e10",
        principalKey: `entra:${user(2)}`,
        scope: "/",
      },
      {
        roleName: "fe930be7-5e62-47db-91af-98c3a49a38b1",
        roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1",
        principalKey: `entra:${group(1)}`,
        scope: "/administrativeUnits/au1",
      },
    ]);
    assert.deepEqual(coverage[0]!.missing.map((missing) => missing.item), ["entra.roleDefinitions"]);
  });

  it("maps sign-ins, flattening device and location, deduplicating by id", async () => {
    const { signIns, coverage } = await readEntraExport(exportFolder);
    assert.deepEqual(signIns.map((signIn) => signIn.id), ["s-2", "s-1"], "sorted by time, s-1 once");
    assert.deepEqual(signIns[1], {
      id: "s-1",
      at: "2024-05-02T07:15:00.000Z",
      userPrincipalName: "anna.andersson@exempelkommun.se",
      accountKey: `entra:${user(1)}`,
      errorCode: 0,
      isInteractive: true,
      appDisplayName: "Office 365 Exchange Online",
      ipAddress: "192.0.2.10",
      deviceId: "aaaaaaaa-0000-4000-8000-000000000001",
      deviceName: "SOC-LT-001",
      operatingSystem: "Windows10",
      browser: "Edge 124.0.0",
      isCompliant: true,
      isManaged: true,
      trustType: "Hybrid Azure AD joined",
      city: "Umeå",
      countryOrRegion: "SE",
      latitude: 63.8258,
      longitude: 20.263,
    });
    assert.deepEqual(signIns[0], {
      id: "s-2",
      at: "2024-05-01T22:00:00.000Z",
      userPrincipalName: "okand@exempelkommun.se",
      errorCode: 50126,
      isInteractive: true,
      ipAddress: "198.51.100.7",
      operatingSystem: "Linux",
      browser: "Firefox 125",
      isCompliant: false,
      isManaged: false,
      countryOrRegion: "NL",
    });
    const signInCoverage = coverage[1]!;
    assert.equal(signInCoverage.source, "entra-signins");
    assert.equal(signInCoverage.ran, true);
    assert.equal(signInCoverage.origin, signInsFile);
    assert.deepEqual(signInCoverage.window, { start: "2024-05-01T22:00:00.000Z", end: "2024-05-02T07:15:00.000Z" });
  });

  it("rejects bad page lines and bad objects with file, line and field, reading the rest", async () => {
    const { coverage } = await readEntraExport(exportFolder);
    const directory = coverage[0]!;
    assert.equal(directory.source, "entra");
    assert.equal(directory.ran, true);
    assert.equal(directory.recordsRejected, 4);
    assert.deepEqual(
      directory.rejected.map(({ file, line, field }) => ({ file, line, field })),
      [
        { file: usersFile, line: 2, field: undefined },
        { file: usersFile, line: 3, field: "accountEnabled" },
        { file: usersFile, line: 3, field: "id" },
        { file: usersFile, line: 4, field: "value" },
      ],
    );
    assert.match(directory.rejected[0]!.message, /^page line is not JSON/);
    assert.match(directory.rejected[1]!.message, /id 00000000-0000-4000-8000-000000000004.*expected true or false, got "yes"/);
    assert.equal(directory.rejected[3]!.message, 'page has no "value" array (Graph error "TooManyRequests")');
    // 4 users + 3 groups + 6 members + 2 devices + 1 role definition + 2 assignments
    assert.equal(directory.recordsRead, 18);

    const signIns = coverage[1]!;
    assert.equal(signIns.recordsRejected, 1);
    assert.deepEqual(signIns.rejected[0], {
      file: signInsFile,
      line: 2,
      field: "status.errorCode",
      message: "value[0] (id s-3): status.errorCode missing",
    });
  });

  it("reports a truncated export (last page still has @odata.nextLink) as missing data", async () => {
    const { coverage } = await readEntraExport(exportFolder);
    assert.deepEqual(coverage[1]!.missing, [
      { item: "entra.signIns", why: `export truncated: ${signInsFile} ends with an @odata.nextLink` },
    ]);
  });

  describe("with a hand-made export folder", () => {
    let folder: string;
    const write = async (relative: string, content: string | Buffer) => {
      const path = join(folder, relative);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    };
    beforeEach(async () => {
      folder = await mkdtemp(join(tmpdir(), "kontokoll-entra-"));
    });
    afterEach(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it("flags users without signInActivity, a missing sign-in log and a truncated user export", async () => {
      await write(
        "v1.0/users.jsonl",
        page([{ id: user(1), userPrincipalName: "a@k.se", accountEnabled: true }], "https://graph.microsoft.com/v1.0/users?$skiptoken=x") + "\n",
      );
      const result = await readEntraExport(folder);
      const [directory, signIns] = result.coverage;
      assert.equal(directory!.ran, true);
      assert.deepEqual(directory!.missing, [
        { item: "entra.users", why: `export truncated: ${join(folder, "v1.0", "users.jsonl")} ends with an @odata.nextLink` },
        {
          item: "entra.signInActivity",
          why: "users were read without signInActivity (needs Entra ID P1/P2 and AuditLog.Read.All)",
        },
      ]);
      assert.equal(signIns!.source, "entra-signins");
      assert.equal(signIns!.ran, false);
      assert.equal(signIns!.error, "no sign-in log export (auditLogs/signIns)");
      assert.equal(result.accounts.length, 1);
    });

    it("accepts a gzip file and the v1.0 folder itself, and reads beta sign-ins too", async () => {
      await write("v1.0/users.jsonl.gz", gzipSync(page([{ id: user(1), userPrincipalName: "a@k.se", accountEnabled: true, signInActivity: null }]) + "\n"));
      const signIn = (id: string) => ({ id, createdDateTime: "2024-01-01T00:00:00Z", userPrincipalName: "a@k.se", userId: user(1), status: { errorCode: 0 }, isInteractive: false });
      await write("beta/auditLogs/signIns.jsonl", page([signIn("b-1"), signIn("b-2")]) + "\n");
      const viaRoot = await readEntraExport(folder);
      assert.equal(viaRoot.accounts.length, 1);
      assert.deepEqual(viaRoot.coverage[0]!.missing, [], "a null signInActivity still means the property was exported");
      assert.deepEqual(viaRoot.signIns.map((entry) => [entry.id, entry.accountKey, entry.isInteractive]), [
        ["b-1", `entra:${user(1)}`, false],
        ["b-2", `entra:${user(1)}`, false],
      ]);
      const viaV1 = await readEntraExport(join(folder, "v1.0"));
      assert.equal(viaV1.accounts.length, 1);
      assert.equal(viaV1.coverage[1]!.ran, false);
    });

    it("returns ran:false coverage for a folder that does not exist", async () => {
      const missing = join(folder, "nope");
      const result = await readEntraExport(missing);
      assert.deepEqual(
        result.coverage.map(({ source, ran }) => ({ source, ran })),
        [
          { source: "entra", ran: false },
          { source: "entra-signins", ran: false },
        ],
      );
      assert.match(result.coverage[0]!.error!, /cannot read Entra export folder .*nope: ENOENT/);
      assert.deepEqual(result.accounts, []);
    });

    it("reports an empty folder as not run", async () => {
      const result = await readEntraExport(folder);
      assert.equal(result.coverage[0]!.ran, false);
      assert.match(result.coverage[0]!.error!, /no directory export files/);
    });

    it("flags groups exported without any members files", async () => {
      await write("v1.0/groups.jsonl", page([{ id: group(1), displayName: "G" }]) + "\n");
      const { coverage } = await readEntraExport(folder);
      assert.deepEqual(coverage[0]!.missing.map((missing) => missing.item), ["entra.users", "entra.groupMembers"]);
    });

    it("rejects wrong-typed nested fields and a user listed twice", async () => {
      await write(
        "v1.0/users.jsonl",
        [
          page([
            { id: user(1), accountEnabled: true, signInActivity: { lastSignInDateTime: 5 } },
            { id: user(2), accountEnabled: true, createdDateTime: "last tuesday" },
            { id: user(3), accountEnabled: true },
          ]),
          page([{ id: user(3), accountEnabled: false }]),
        ].join("\n"),
      );
      const { accounts, coverage } = await readEntraExport(folder);
      assert.deepEqual(accounts.map((account) => [account.objectId, account.enabled]), [[user(3), true]]);
      assert.deepEqual(
        coverage[0]!.rejected.map(({ line, field }) => ({ line, field })),
        [
          { line: 1, field: "signInActivity.lastSignInDateTime" },
          { line: 1, field: "createdDateTime" },
          { line: 2, field: "id" },
        ],
      );
      assert.match(coverage[0]!.rejected[2]!.message, /duplicate id/);
    });
  });
});

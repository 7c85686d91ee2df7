import { emptyParts } from "../../src/sources/collect.js";
import type { DepartmentConfig } from "../../src/config/schema.js";
import type { Finding } from "../../src/findings/finding.js";
import type { RunHeader } from "../../src/findings/store.js";
import { buildSnapshot, type SnapshotParts } from "../../src/snapshot/build.js";
import type { Account, Group, Snapshot, SourceCoverage } from "../../src/snapshot/model.js";

export const AS_OF = "2026-11-21T02:00:00.000Z";
const DOMAIN_SID = "S-1-5-21-111-222-333";

export function daysBefore(days: number): string {
  return new Date(Date.parse(AS_OF) - days * 86_400_000).toISOString();
}

export function adAccount(rid: number, sam: string, fields: Partial<Account> = {}): Account {
  const sid = `${DOMAIN_SID}-${rid}`;
  return {
    key: `ad:${sid}`,
    source: "ad",
    objectId: sid,
    directory: "example.local",
    samAccountName: sam,
    displayName: sam,
    givenName: "Anna",
    surname: "Berg",
    distinguishedName: `CN=${sam},OU=Users,OU=Soc,DC=example,DC=local`,
    enabled: true,
    createdAt: daysBefore(1000),
    userAccountControl: 512,
    directGroupKeys: [],
    ...fields,
  };
}

export function entraAccount(id: string, upn: string, fields: Partial<Account> = {}): Account {
  return {
    key: `entra:${id}`,
    source: "entra",
    objectId: id,
    directory: "example.se",
    userPrincipalName: upn,
    displayName: upn,
    enabled: true,
    createdAt: daysBefore(900),
    directGroupKeys: [],
    ...fields,
  };
}

export function adGroup(rid: number, name: string, members: string[], fields: Partial<Group> = {}): Group {
  const sid = `${DOMAIN_SID}-${rid}`;
  return { key: `ad:${sid}`, source: "ad", objectId: sid, name, directMemberKeys: members, transitiveAccountKeys: [], ...fields };
}

export function coverage(source: SourceCoverage["source"], missing: SourceCoverage["missing"] = []): SourceCoverage {
  return { source, origin: "fixture", ran: true, recordsRead: 0, recordsRejected: 0, rejected: [], missing };
}

export const DEPARTMENTS: DepartmentConfig[] = [
  { code: "SOC", name: "Socialförvaltningen", organisationalUnits: ["OU=Soc,DC=example,DC=local"], departmentAttributeValues: [], resourceGroups: [] },
];

export function snapshotOf(parts: Partial<SnapshotParts>): Snapshot {
  return buildSnapshot(
    {
      ...emptyParts(),
      coverage: [coverage("ad"), coverage("entra")],
      ...parts,
    },
    { organisation: "Testkommun", departments: DEPARTMENTS, collectedAt: AS_OF },
  );
}

/** A finding about `subject` (used as key, account and name alike), as a check would report it. */
export function findingFor(checkId: string, subject: string, facts: Finding["facts"] = {}): Finding {
  return {
    id: `${checkId}|${subject}`,
    checkId,
    subjectKey: subject,
    account: subject,
    displayName: subject,
    department: null,
    managerName: null,
    managerAccount: null,
    managerIdentityId: null,
    entraObjectId: null,
    severity: "medium",
    facts,
  };
}

/** What every test run record of week 2026-W47 says about itself, coverage and findings aside. */
export function runHeader(): Omit<RunHeader, "coverage"> {
  return {
    startedAt: "2026-11-21T02:00:00.000Z",
    finishedAt: "2026-11-21T02:01:00.000Z",
    asOf: "2026-11-21T02:00:00.000Z",
    window: { start: "2026-11-07T00:00:00.000Z", end: "2026-11-21T00:00:00.000Z" },
    organisation: "Testkommun",
    configFile: "/etc/kontokoll.yaml",
    configFingerprint: "0123456789ab",
    week: "2026-W47",
    exceptionProblems: [],
  };
}

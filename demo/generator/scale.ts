/**
 * Region-sized variants of Exempelkommun for benchmarks. A region differs from the demo in the
 * number of staff (which carries the accounts, computers, Windows events and sign-ins with it) and
 * in the depth of its group tree: large organisations grant access through thousands of nested
 * unit and resource groups. Those groups are added after every case is planted and the ground
 * truth is known, with members no planted case names, so they change what the checks must expand
 * but not what they must report.
 */
import { escapeRdnValue } from "../../src/sources/ad/decode.js";
import { sidAllocator } from "./catalogue.js";
import type { GroundTruth } from "./ground-truth.js";
import type { DemoGroup, DemoIdentity, DemoWorld } from "./model.js";
import { DEPARTMENTS, departmentOuDn, type DepartmentCode } from "./organisation.js";
import type { RandomStreams } from "./random.js";
import { AS_OF_MS, DAY_MS } from "./time.js";

export interface SizePreset {
  staff: number;
  /** Unit and resource groups added to the demo's own (0: the demo as it is). */
  extraGroups: number;
}

/** ~100,000 accounts, ~20,000 groups, ~9 M Windows events and ~2 M sign-ins for "region". */
export const SIZE_PRESETS = {
  demo: { staff: 1500, extraGroups: 0 },
  "tenth-region": { staff: 9_900, extraGroups: 2_000 },
  "half-region": { staff: 49_500, extraGroups: 10_000 },
  region: { staff: 99_000, extraGroups: 20_000 },
} as const satisfies Record<string, SizePreset>;

export type SizeName = keyof typeof SIZE_PRESETS;

export function isSizeName(name: string): name is SizeName {
  return Object.hasOwn(SIZE_PRESETS, name);
}

const GLOBAL_SECURITY = -2147483646;
const UAC_ACCOUNTDISABLE = 0x2;
/** Unit chains this deep (department → division → unit → … → team): nesting the checks must expand. */
const MAX_CHAIN_DEPTH = 6;

/** Every subject a planted case names, expected or trap. */
function plantedSubjects(truth: GroundTruth): Set<string> {
  const subjects = new Set<string>();
  for (const check of Object.values(truth.checks)) for (const entry of [...check.expected, ...check.traps]) subjects.add(entry.subject);
  return subjects;
}

/**
 * Adds `count` AD groups: per department a root, chains of unit groups nested up to six deep, and
 * resource groups (file shares, applications) whose members are unit groups and some people
 * directly. Members are enabled, active staff of the department that no planted case names.
 */
export function addGroupHierarchy(world: DemoWorld, streams: RandomStreams, truth: GroundTruth, count: number): DemoGroup[] {
  if (count <= 0) return [];
  const random = streams.get("scale-groups");
  const nextSid = sidAllocator(world);
  const planted = plantedSubjects(truth);
  const added: DemoGroup[] = [];
  const group = (code: DepartmentCode, name: string, description: string): DemoGroup => {
    const createdAt = AS_OF_MS - random.int(60, 3000) * DAY_MS;
    const made: DemoGroup = {
      name,
      description,
      createdAt,
      ad: { sam: name, dn: `CN=${escapeRdnValue(name)},OU=Grupper,${departmentOuDn(code)}`, sid: nextSid(), guid: random.guidBytes(), groupType: GLOBAL_SECURITY, whenChangedAt: createdAt },
      memberIdentities: [],
      memberGroups: [],
    };
    world.groups.push(made);
    added.push(made);
    return made;
  };

  const perDepartment = Math.max(3, Math.floor(count / DEPARTMENTS.length));
  for (const department of DEPARTMENTS) {
    const code = department.code;
    const staff: DemoIdentity[] = world.identities.filter(
      (identity) =>
        identity.departmentCode === code &&
        identity.kind === "person" &&
        identity.role === "staff" &&
        identity.scenario === "active" &&
        identity.enabled &&
        identity.ad !== undefined &&
        (identity.ad.userAccountControl & UAC_ACCOUNTDISABLE) === 0 &&
        !planted.has(identity.subject) &&
        !planted.has(identity.ad.sam),
    );
    if (staff.length === 0) continue;
    const root = group(code, `${code}-Org-Alla`, `Alla enheter inom ${department.name}`);
    // Two fifths unit groups in chains, the rest resource groups granted to units.
    const unitCount = Math.max(1, Math.floor((perDepartment - 1) * 0.4));
    const units: DemoGroup[] = [];
    let parent = root;
    let depth = 1;
    for (let i = 0; i < unitCount; i++) {
      const unit = group(code, `${code}-Org-Enhet-${String(i + 1).padStart(5, "0")}`, `Enhet ${i + 1} inom ${department.code}`);
      // A unit starts a new chain under the root, or continues the current one while it is not too deep.
      if (depth >= MAX_CHAIN_DEPTH || random.chance(0.35)) {
        parent = root;
        depth = 1;
      }
      parent.memberGroups.push(unit);
      parent = unit;
      depth++;
      units.push(unit);
    }
    // Every person belongs to one unit (the innermost groups hold the people).
    for (const person of staff) random.pick(units).memberIdentities.push(person);
    const resourceCount = Math.max(1, perDepartment - 1 - unitCount);
    for (let i = 0; i < resourceCount; i++) {
      const kind = random.pick(["Filserver", "App", "Skrivare", "Sharepoint"] as const);
      const resource = group(code, `${code}-Res-${kind}-${String(i + 1).padStart(5, "0")}`, `Behörighet ${kind.toLowerCase()} ${i + 1}`);
      const grantedUnits = random.int(1, 3);
      for (let g = 0; g < grantedUnits; g++) {
        const unit = random.pick(units);
        if (!resource.memberGroups.includes(unit)) resource.memberGroups.push(unit);
      }
      const direct = random.int(0, 4);
      for (let p = 0; p < direct; p++) {
        const person = random.pick(staff);
        if (!resource.memberIdentities.includes(person)) resource.memberIdentities.push(person);
      }
    }
  }
  return added;
}

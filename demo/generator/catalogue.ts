/**
 * The detection catalogue's planted cases (issue 6): one file per area, each planting its cases
 * into the finished world and, once every area has planted, deriving its ground truth from the
 * generated objects. Areas plant in a fixed order and pick only identities no earlier case uses
 * (`Claims`), so one area's cases never disturb another's.
 */
import type { JsonlFile } from "./export-entra.js";
import type { CheckTruth } from "./ground-truth.js";
import type { DemoIdentity, DemoWorld } from "./model.js";
import { DOMAIN_SID } from "./organisation.js";
import type { People } from "./people.js";
import type { Random, RandomStreams } from "./random.js";
import { plantBoundaryCases } from "./boundary-cases.js";
import { plantCredentialCases } from "./credential-cases.js";
import { plantDeviceCases } from "./device-cases.js";
import { plantHygieneCases } from "./hygiene-cases.js";
import { plantPasswordAuditCases } from "./password-cases.js";
import { plantSharingCases } from "./sharing-cases.js";

/** What one area planted: its checks' ground truth and any extra export files. */
export interface CataloguePart {
  /** Called after every area has planted; throws when the data disagrees with what was planted. */
  truth(world: DemoWorld): Record<string, CheckTruth>;
  /** Extra files of the demo export (paths relative to the data folder). */
  files?(world: DemoWorld): JsonlFile[];
}

export interface CatalogueInput {
  streams: RandomStreams;
  world: DemoWorld;
  people: People;
  claims: Claims;
}

export type CataloguePlanter = (input: CatalogueInput) => CataloguePart;

/** Which identity is used by which planted case; a case picks only free identities. */
export class Claims {
  private readonly purposes = new Map<DemoIdentity, string>();

  claim(identity: DemoIdentity, purpose: string): void {
    const earlier = this.purposes.get(identity);
    if (earlier !== undefined) throw new Error(`${identity.subject} is already used by ${earlier}; cannot use it for ${purpose}`);
    this.purposes.set(identity, purpose);
  }

  isFree(identity: DemoIdentity): boolean {
    return !this.purposes.has(identity);
  }

  /** `count` free identities among `candidates`, claimed for `purpose`. */
  pick(random: Random, candidates: readonly DemoIdentity[], count: number, purpose: string): DemoIdentity[] {
    const free = candidates.filter((identity) => this.isFree(identity));
    if (free.length < count) throw new Error(`only ${free.length} free identities for ${purpose}, need ${count}`);
    const chosen = random.shuffle(free).slice(0, count);
    for (const identity of chosen) this.claim(identity, purpose);
    return chosen;
  }
}

/**
 * Ordinary staff: enabled, active people with both an AD and a cloud account and a department,
 * that no stale, session or security case uses.
 */
export function ordinaryStaff(world: DemoWorld, claims: Claims): DemoIdentity[] {
  return world.identities.filter(
    (identity) =>
      identity.kind === "person" &&
      identity.scenario === "active" &&
      identity.enabled &&
      identity.ad !== undefined &&
      identity.entra !== undefined &&
      identity.departmentCode !== null &&
      claims.isFree(identity),
  );
}

/**
 * The next free SIDs of the domain: above every SID the world already allocated, other areas'
 * objects included. New objects are the newest, so they get the highest RIDs.
 */
export function sidAllocator(world: DemoWorld): () => string {
  const prefix = `${DOMAIN_SID}-`;
  let highest = 0;
  const note = (sid: string | undefined) => {
    if (sid !== undefined && sid.startsWith(prefix)) highest = Math.max(highest, Number(sid.slice(prefix.length)));
  };
  for (const identity of world.identities) note(identity.ad?.sid);
  for (const group of world.groups) note(group.ad?.sid);
  for (const computer of world.computers) note(computer.sid);
  return () => `${prefix}${++highest}`;
}

/** Claims every identity the earlier (stale, session, security) cases already use. */
function claimExisting(world: DemoWorld, people: People, claims: Claims): void {
  const used = new Set<DemoIdentity>();
  for (const identity of world.identities) if (identity.scenario !== "active") used.add(identity);
  for (const planted of world.deskCases) used.add(planted.identity);
  for (const detection of world.riskDetections) used.add(detection.identity);
  for (const user of world.riskyUsers) used.add(user.identity);
  for (const registration of world.mfaRegistrations) if (registration.story !== undefined) used.add(registration.identity);
  for (const device of world.managedDevices) if (device.story !== undefined && device.primaryUser !== undefined) used.add(device.primaryUser);
  for (const eligibility of world.roleEligibilities) used.add(eligibility.principal);
  for (const assignment of world.roleAssignments) used.add(assignment.principal);
  used.add(people.domainAdminOutsider);
  for (const identity of used) claims.claim(identity, "an earlier planted case");
}

const PLANTERS: readonly CataloguePlanter[] = [plantCredentialCases, plantPasswordAuditCases, plantBoundaryCases, plantDeviceCases, plantSharingCases, plantHygieneCases];

/** Plants every area's cases into the world; returns the parts in planting order. */
export function plantCatalogue(streams: RandomStreams, world: DemoWorld, people: People): CataloguePart[] {
  const claims = new Claims();
  claimExisting(world, people, claims);
  return PLANTERS.map((plant) => plant({ streams, world, people, claims }));
}

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeWindowsEvents } from "../demo/generator/export-windows.js";
import { buildGroundTruth } from "../demo/generator/ground-truth.js";
import type { DemoGroup } from "../demo/generator/model.js";
import { addGroupHierarchy } from "../demo/generator/scale.js";
import { buildWorld } from "../demo/generator/world.js";

const SEED = 20261121;
const STAFF = 300;

/** Levels of nesting below and including `group`. */
function depth(group: DemoGroup): number {
  return 1 + Math.max(0, ...group.memberGroups.map(depth));
}

describe("demo generator at region size (--size presets)", function () {
  let workDir: string;

  before(async function () {
    workDir = await mkdtemp(join(tmpdir(), "kontokoll-demo-scale-"));
  });

  after(async function () {
    await rm(workDir, { recursive: true, force: true });
  });

  it("writes the same Windows event file through spilled and merged runs as through one sort in memory, and removes the runs", async function () {
    // Planted: the same 300-staff world twice; its events sorted once in memory, once in runs of 2,000 events.
    const inMemoryWorld = buildWorld(SEED, STAFF);
    const spilledWorld = buildWorld(SEED, STAFF);
    const inMemory = writeWindowsEvents(inMemoryWorld.world, inMemoryWorld.streams, join(workDir, "memory.jsonl"), join(workDir, "runs-memory"), Number.POSITIVE_INFINITY);
    const spilled = writeWindowsEvents(spilledWorld.world, spilledWorld.streams, join(workDir, "spilled.jsonl"), join(workDir, "runs-spilled"), 2_000);
    assert.equal(inMemory.runsSpilled, 0, "the reference sorts in memory");
    assert.ok(spilled.runsSpilled >= 4, `only ${spilled.runsSpilled} runs were spilled`);
    assert.ok(inMemory.events > 10_000, `only ${inMemory.events} events`);
    assert.equal(spilled.events, inMemory.events);
    const [expected, actual] = [await readFile(join(workDir, "memory.jsonl")), await readFile(join(workDir, "spilled.jsonl"))];
    assert.equal(actual.length, expected.length);
    assert.ok(actual.equals(expected), "the merged file differs from the one sorted in memory");
    assert.deepEqual((await readdir(workDir)).filter((name) => name.startsWith("runs-")), [], "spilled runs are left behind");
  });

  it("adds nested unit and resource groups of staff no planted case names, and leaves the ground truth and the demo's groups as they were", function () {
    // Planted: 120 extra groups on a 300-staff world after its cases and ground truth exist.
    const { world, people, streams } = buildWorld(SEED, STAFF);
    const truth = buildGroundTruth(world, people);
    const demoGroups = [...world.groups];
    const demoMembers = demoGroups.map((group) => [group.memberIdentities.length, group.memberGroups.length]);

    assert.deepEqual(addGroupHierarchy(world, streams, truth, 0), [], "the demo size adds nothing");
    assert.equal(world.groups.length, demoGroups.length);

    const added = addGroupHierarchy(world, streams, truth, 120);
    assert.ok(added.length >= 100 && added.length <= 126, `${added.length} groups added for 120`);
    assert.deepEqual(world.groups.slice(0, demoGroups.length), demoGroups, "the demo's groups keep their places");
    assert.deepEqual(demoGroups.map((group) => [group.memberIdentities.length, group.memberGroups.length]), demoMembers, "a demo group gained members");
    assert.equal(new Set(world.groups.map((group) => group.ad?.sid ?? group.name)).size, world.groups.length, "SIDs are unique");

    const roots = added.filter((group) => group.name.endsWith("-Org-Alla"));
    assert.equal(roots.length, 6, "one root per department");
    const deepest = Math.max(...added.map(depth));
    assert.ok(deepest >= 3 && deepest <= 6, `nesting ${deepest} levels deep`);
    assert.ok(added.some((group) => group.name.includes("-Res-") && group.memberGroups.length > 0), "no resource group is granted to a unit");

    const planted = new Set(Object.values(truth.checks).flatMap((check) => [...check.expected, ...check.traps].map((entry) => entry.subject)));
    const members = added.flatMap((group) => group.memberIdentities);
    assert.ok(members.length > 50, `only ${members.length} memberships`);
    for (const member of members) {
      assert.ok(member.enabled && member.scenario === "active" && member.kind === "person", `${member.subject} is not active staff`);
      assert.ok(!planted.has(member.subject) && !planted.has(member.ad!.sam), `${member.subject} is named by a planted case`);
    }
    assert.deepEqual(buildGroundTruth(world, people), truth, "the extra groups changed the ground truth");
  });
});

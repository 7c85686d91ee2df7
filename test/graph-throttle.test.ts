import { strict as assert } from "node:assert";
import { RateGate, type Clock } from "../src/sources/graph/throttle.js";

/** A clock that only moves when a sleeper asks it to: each sleep advances it by exactly that much. */
class SteppingClock implements Clock {
  at = 0;
  now(): number {
    return this.at;
  }
  async sleep(milliseconds: number): Promise<void> {
    this.at += milliseconds;
    await Promise.resolve();
  }
}

describe("Graph pacing gate (src/sources/graph/throttle.ts)", () => {
  it("lets no more than the limit start within a window", async () => {
    const clock = new SteppingClock();
    const gate = new RateGate({ requests: 2, windowSeconds: 1 }, clock);
    const starts: number[] = [];
    for (let request = 0; request < 6; request++) {
      const slot = await gate.acquire();
      slot.sent();
      starts.push(clock.now());
      slot.done();
    }
    for (let index = 2; index < starts.length; index++) {
      assert.ok(starts[index]! - starts[index - 2]! >= 1000, `start ${index} at ${starts[index]} is within a window of start ${index - 2} at ${starts[index - 2]}`);
    }
  });

  it("holds the place of a request still in flight past its window, and dates it from the answer", async () => {
    const clock = new SteppingClock();
    const gate = new RateGate({ requests: 1, windowSeconds: 1 }, clock);
    const slow = await gate.acquire();
    slow.sent();
    // The answer takes 5 s (a stalled connection): Graph counted the request when it arrived, some time in between.
    let answered = false;
    const next = gate.acquire().then((slot) => {
      assert.ok(answered, "the next request started before the slow one was answered");
      return slot;
    });
    while (clock.now() < 5_000) await clock.sleep(100);
    answered = true;
    const answeredAt = clock.now();
    slow.done();
    await next;
    assert.ok(clock.now() - answeredAt >= 1000, `the next request started ${clock.now() - answeredAt} ms after the answer; a window is 1000 ms`);
  });

  it("never waits on its own slots while a batch is being assembled", async () => {
    const clock = new SteppingClock();
    const gate = new RateGate({ requests: 2, windowSeconds: 1 }, clock);
    // A $batch of five takes five slots before anything is sent; slots not yet sent age as usual.
    const slots = [];
    for (let request = 0; request < 5; request++) slots.push(await gate.acquire());
    assert.ok(clock.now() >= 2000, `five slots at two per window span at least two windows (${clock.now()} ms)`);
    for (const slot of slots) slot.sent();
    for (const slot of slots) slot.done();
  });
});

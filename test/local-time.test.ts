import { strict as assert } from "node:assert";
import { wallClockToUtcMs } from "../src/sources/exports/local-time.js";

function wall(text: string) {
  const [date, time] = text.split(" ");
  const [year, month, day] = date!.split("-").map(Number);
  const [hour, minute, second] = time!.split(":").map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, millisecond: 0 };
}

const utc = (text: string, zone: string) => new Date(wallClockToUtcMs(wall(text), zone)).toISOString();

describe("local wall-clock time to UTC (src/sources/exports/local-time.ts)", () => {
  it("applies daylight saving time by date", () => {
    assert.equal(utc("2020-09-04 03:08:35", "America/New_York"), "2020-09-04T07:08:35.000Z");
    assert.equal(utc("2020-01-04 03:08:35", "America/New_York"), "2020-01-04T08:08:35.000Z");
    assert.equal(utc("2024-07-15 08:05:00", "Europe/Stockholm"), "2024-07-15T06:05:00.000Z");
    assert.equal(utc("2024-01-15 08:05:00", "Europe/Stockholm"), "2024-01-15T07:05:00.000Z");
    assert.equal(utc("2024-01-15 08:05:00", "UTC"), "2024-01-15T08:05:00.000Z");
  });

  it("resolves the repeated hour to the earlier instant and the skipped hour past the gap", () => {
    // 2024-11-03 01:30 happens twice in New York (EDT, then EST).
    assert.equal(utc("2024-11-03 01:30:00", "America/New_York"), "2024-11-03T05:30:00.000Z");
    // 2024-03-10 02:30 does not exist in New York; it reads as 03:30 EDT.
    assert.equal(utc("2024-03-10 02:30:00", "America/New_York"), "2024-03-10T07:30:00.000Z");
    assert.equal(utc("2024-03-31 02:30:00", "Europe/Stockholm"), "2024-03-31T01:30:00.000Z");
    assert.equal(utc("2024-10-27 02:30:00", "Europe/Stockholm"), "2024-10-27T00:30:00.000Z");
  });
});

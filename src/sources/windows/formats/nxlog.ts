/**
 * NXLog `im_msvistalog` JSON as collected by HELK/Logstash (OTRF Security-Datasets): one flat
 * object per event with `EventID` (integer), `Hostname` (the originating computer),
 * `RecordNumber` (= EventRecordID), `Channel` (case varies), the event data as top-level keys,
 * and `UserID` (the System/Security UserID, used for 1074).
 *
 * `EventTime` is the computer's LOCAL time without an offset, so it needs the configured zone
 * (`options.localTimeZone`); without one the record is rejected. `@timestamp` (Logstash) and
 * `EventReceivedTime` (the collector) are ingestion times and are never used.
 */
import type { RecordOutcome } from "../event.js";
import {
  buildEvent,
  channelOf,
  describeValue,
  FieldError,
  isSessionEventId,
  ObjectEventData,
  optionalInteger,
  parseMaybeLocalTime,
  requiredEventId,
  requiredHost,
  type JsonObject,
  type LocalTimeZone,
} from "./common.js";

export function isNxlogRecord(record: JsonObject): boolean {
  return record["EventID"] !== undefined && (record["Hostname"] !== undefined || record["EventTime"] !== undefined);
}

export function normaliseNxlog(record: JsonObject, line: number, zone: LocalTimeZone | undefined): RecordOutcome {
  const eventId = requiredEventId(record["EventID"], "EventID");
  if (!isSessionEventId(eventId)) return { kind: "skipped", line };
  const header = {
    host: requiredHost(record["Hostname"], "Hostname"),
    channel: channelOf(record["Channel"], "Channel"),
    eventId,
    at: parseMaybeLocalTime(record["EventTime"], "EventTime", zone),
    recordId: optionalInteger(record["RecordNumber"], "RecordNumber"),
  };
  const userId = record["UserID"];
  if (userId !== undefined && userId !== null && typeof userId !== "string") {
    throw new FieldError("UserID", `expected a SID string, got ${describeValue(userId)}`);
  }
  const event = buildEvent(header, new ObjectEventData(record, ""), userId ?? undefined, "");
  return { kind: "event", line, event };
}

/**
 * Winlogbeat / ECS JSON (agent output before or after the Elasticsearch ingest pipeline):
 * `winlog.event_id` (a string; `event.code` as fallback), `winlog.record_id`,
 * `winlog.computer_name` (the originating computer; `host.name` is the machine Winlogbeat runs
 * on, which for forwarded events is the collector, so it is never used), `winlog.channel`,
 * `winlog.event_data.*` (strings) and `winlog.user.identifier` (the System/Security UserID, used
 * for 1074). The event time is `@timestamp` (TimeCreated in UTC).
 */
import type { RecordOutcome } from "../event.js";
import {
  buildEvent,
  channelOf,
  FieldError,
  isJsonObject,
  isSessionEventId,
  NO_EVENT_DATA,
  ObjectEventData,
  optionalInteger,
  parseUtcInstant,
  requiredEventId,
  requiredHost,
  describeValue,
  type JsonObject,
} from "./common.js";

const DATA_PREFIX = "winlog.event_data.";

export function isWinlogbeatRecord(record: JsonObject): boolean {
  return isJsonObject(record["winlog"]);
}

export function normaliseWinlogbeat(record: JsonObject, line: number): RecordOutcome {
  const winlog = record["winlog"];
  if (!isJsonObject(winlog)) throw new FieldError("winlog", `expected an object, got ${describeValue(winlog)}`);
  let code = winlog["event_id"];
  let codeField = "winlog.event_id";
  if (code === undefined || code === null) {
    const ecsEvent = record["event"];
    if (isJsonObject(ecsEvent)) {
      code = ecsEvent["code"];
      codeField = "event.code";
    }
  }
  const eventId = requiredEventId(code, codeField);
  if (!isSessionEventId(eventId)) return { kind: "skipped", line };

  const header = {
    host: requiredHost(winlog["computer_name"], "winlog.computer_name"),
    channel: channelOf(winlog["channel"], "winlog.channel"),
    eventId,
    at: parseUtcInstant(record["@timestamp"], "@timestamp"),
    recordId: optionalInteger(winlog["record_id"], "winlog.record_id"),
  };
  const eventData = winlog["event_data"];
  let data = NO_EVENT_DATA;
  if (isJsonObject(eventData)) data = new ObjectEventData(eventData, DATA_PREFIX);
  else if (eventData !== undefined && eventData !== null) {
    throw new FieldError("winlog.event_data", `expected an object, got ${describeValue(eventData)}`);
  }
  let userSid: string | undefined;
  const user = winlog["user"];
  if (isJsonObject(user)) {
    const identifier = user["identifier"];
    if (typeof identifier === "string") userSid = identifier;
    else if (identifier !== undefined && identifier !== null) {
      throw new FieldError("winlog.user.identifier", `expected a SID string, got ${describeValue(identifier)}`);
    }
  }
  return { kind: "event", line, event: buildEvent(header, data, userSid, DATA_PREFIX) };
}

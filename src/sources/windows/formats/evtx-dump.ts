/**
 * `evtx_dump` (omerbenamram/evtx) JSON, `-o jsonl` or `-o json`: `{"Event": {"System": {…},
 * "EventData": {…}}}` with XML attributes under "#attributes" and element text under "#text".
 * `EventID` is a number, or `{"#attributes": {"Qualifiers": …}, "#text": 1074}`; event-data
 * values may be JSON numbers. (The `Record N` lines of `-o json` are handled by the scanner.)
 */
import type { RecordOutcome } from "../event.js";
import {
  buildEvent,
  channelOf,
  describeValue,
  FieldError,
  isJsonObject,
  isSessionEventId,
  NO_EVENT_DATA,
  ObjectEventData,
  optionalInteger,
  parseUtcInstant,
  requiredEventId,
  requiredHost,
  type JsonObject,
} from "./common.js";

const DATA_PREFIX = "Event.EventData.";

export function isEvtxDumpRecord(record: JsonObject): boolean {
  return isJsonObject(record["Event"]);
}

function attribute(element: unknown, name: string, field: string): unknown {
  if (element === undefined || element === null) return undefined;
  if (!isJsonObject(element)) throw new FieldError(field, `expected an element object, got ${describeValue(element)}`);
  const attributes = element["#attributes"];
  return isJsonObject(attributes) ? attributes[name] : undefined;
}

export function normaliseEvtxDump(record: JsonObject, line: number): RecordOutcome {
  const event = record["Event"];
  if (!isJsonObject(event)) throw new FieldError("Event", `expected an object, got ${describeValue(event)}`);
  const system = event["System"];
  if (!isJsonObject(system)) throw new FieldError("Event.System", `expected an object, got ${describeValue(system)}`);
  let code = system["EventID"];
  if (isJsonObject(code)) code = code["#text"];
  const eventId = requiredEventId(code, "Event.System.EventID");
  if (!isSessionEventId(eventId)) return { kind: "skipped", line };

  const header = {
    host: requiredHost(system["Computer"], "Event.System.Computer"),
    channel: channelOf(system["Channel"], "Event.System.Channel"),
    eventId,
    at: parseUtcInstant(
      attribute(system["TimeCreated"], "SystemTime", "Event.System.TimeCreated"),
      "Event.System.TimeCreated.#attributes.SystemTime",
    ),
    recordId: optionalInteger(system["EventRecordID"], "Event.System.EventRecordID"),
  };
  const userId = attribute(system["Security"], "UserID", "Event.System.Security");
  if (userId !== undefined && userId !== null && typeof userId !== "string") {
    throw new FieldError("Event.System.Security.#attributes.UserID", `expected a SID string, got ${describeValue(userId)}`);
  }
  const eventData = event["EventData"];
  let data = NO_EVENT_DATA;
  if (isJsonObject(eventData)) data = new ObjectEventData(eventData, DATA_PREFIX);
  else if (eventData !== undefined && eventData !== null) {
    throw new FieldError("Event.EventData", `expected an object, got ${describeValue(eventData)}`);
  }
  const normalised = buildEvent(header, data, typeof userId === "string" ? userId : undefined, DATA_PREFIX);
  return { kind: "event", line, event: normalised };
}

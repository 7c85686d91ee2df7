/**
 * OpenWEC (cea-sec/openwec) JSON lines: `{"meta": {"IpAddress", "TimeReceived", "Principal",
 * "Subscription": {…}}, "data": "<Event …>…</Event>"}`. `meta` describes the forwarding (the
 * sender's address and Kerberos principal, when the collector received it) and is never used for
 * host or time: the event's own XML in `data` is read like any Windows event XML.
 */
import type { RecordOutcome } from "../event.js";
import { describeValue, FieldError, type JsonObject } from "./common.js";
import { type EventXmlParser, normaliseXmlEvent } from "./windows-xml.js";

export function isOpenWecRecord(record: JsonObject): boolean {
  return typeof record["data"] === "string" && record["meta"] !== undefined;
}

export function normaliseOpenWec(record: JsonObject, line: number, parser: EventXmlParser): RecordOutcome {
  const data = record["data"];
  if (typeof data !== "string") throw new FieldError("data", `expected the event XML as a string, got ${describeValue(data)}`);
  return normaliseXmlEvent(parser.parse(data), line, "data/");
}

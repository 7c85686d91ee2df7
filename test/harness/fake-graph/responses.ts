/** The shape of Graph's answers, shared by top-level requests and $batch sub-requests. */
import { randomUUID } from "node:crypto";
import type { Bucket, JsonObject } from "./types.js";

export const GRAPH_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export interface GraphResult {
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
  bucket?: Bucket;
  objects?: number;
  errorCode?: string;
  fault?: string;
}

export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): GraphResult {
  const requestId = randomUUID();
  return {
    status,
    headers: { "Content-Type": GRAPH_JSON, "request-id": requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, ""), "request-id": requestId, "client-request-id": requestId },
      },
    },
    errorCode: code,
  };
}

export function notFound(path: string): GraphResult {
  const segment = path.split("/").pop() ?? path;
  return graphError(404, "Request_ResourceNotFound", `Resource not found for the segment '${segment}'.`);
}

export function unsupportedQuery(message: string): GraphResult {
  return graphError(400, "Request_UnsupportedQuery", message);
}

export function badRequest(message: string, code = "BadRequest"): GraphResult {
  return graphError(400, code, message);
}

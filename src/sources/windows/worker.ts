/**
 * Reads Windows events in a worker thread, beside the directory reads on the main thread.
 *
 * Parsing millions of events and reading the directories and sign-ins are each CPU-bound and
 * independent until the snapshot is built, so on a machine with two cores the event read costs
 * almost no wall time of its own. Sessions come back in batches as each host is finished, so the
 * main thread takes them in while it reads, and their repeated names are shared again on arrival
 * (a structured clone gives every copy its own string).
 */
import { Worker } from "node:worker_threads";
import type { WindowsSession } from "../../snapshot/model.js";
import { SessionText } from "../shared-text.js";
import type { EventFileSpec, WindowsSessionsOptions, WindowsSessionsResult } from "./read-sessions.js";

/** What the worker needs: everything but the callbacks, which cannot cross threads. */
export interface WorkerRequest {
  files: EventFileSpec[];
  options: Pick<WindowsSessionsOptions, "localTimeZone" | "tempDir" | "runSize">;
}

/** Messages from the worker, in order: progress and session batches, then one result or error. */
export type WorkerMessage =
  | { kind: "progress"; file: string; records: number }
  | { kind: "sessions"; sessions: WindowsSession[] }
  | { kind: "result"; result: Omit<WindowsSessionsResult, "sessions"> }
  | { kind: "error"; aborted: boolean; message: string; stack?: string };

/** Messages to the worker. */
export type WorkerCommand = { kind: "abort" };

/** Sessions handed over per message: large enough that messaging costs little, small enough to spread the clone cost. */
export const SESSION_BATCH = 5_000;

/**
 * Like readWindowsSessions, in a worker thread. A stop (`signal`) is passed on, so the worker
 * removes its spilled runs before it ends; the promise then rejects with the signal's reason.
 */
export function readWindowsSessionsInWorker(files: EventFileSpec[], options: WindowsSessionsOptions = {}): Promise<WindowsSessionsResult> {
  const request: WorkerRequest = {
    files,
    options: {
      ...(options.localTimeZone === undefined ? {} : { localTimeZone: options.localTimeZone }),
      ...(options.tempDir === undefined ? {} : { tempDir: options.tempDir }),
      ...(options.runSize === undefined ? {} : { runSize: options.runSize }),
    },
  };
  const worker = new Worker(new URL("./worker-main.js", import.meta.url), { workerData: request });
  const sessions: WindowsSession[] = [];
  const sink = options.sessionSink ?? ((session: WindowsSession) => sessions.push(session));
  const shared = new SessionText();
  const signal = options.signal;
  return new Promise<WindowsSessionsResult>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      action();
    };
    const onAbort = () => worker.postMessage({ kind: "abort" } satisfies WorkerCommand);
    if (signal !== undefined) {
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    }
    worker.on("message", (message: WorkerMessage) => {
      switch (message.kind) {
        case "progress":
          options.onProgress?.({ file: message.file, records: message.records });
          return;
        case "sessions":
          for (const session of message.sessions) sink(shared.apply(session));
          return;
        case "result":
          settle(() => resolve({ ...message.result, sessions }));
          return;
        case "error":
          settle(() => {
            if (message.aborted && signal?.aborted === true) reject(signal.reason);
            else reject(Object.assign(new Error(`reading Windows events failed: ${message.message}`), message.stack === undefined ? {} : { workerStack: message.stack }));
          });
      }
    });
    worker.on("error", (error) => settle(() => reject(error)));
    worker.on("exit", (code) => settle(() => reject(new Error(`the Windows event reader stopped (exit code ${code}) before it gave a result`))));
  });
}

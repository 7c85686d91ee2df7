/**
 * The worker thread's side of readWindowsSessionsInWorker (worker.ts): reads the files, sends
 * sessions in batches as hosts are finished, then the rest of the result.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WindowsSession } from "../../snapshot/model.js";
import { readWindowsSessions } from "./read-sessions.js";
import { SESSION_BATCH, type WorkerCommand, type WorkerMessage, type WorkerRequest } from "./worker.js";

const port = parentPort;
if (port === null) throw new Error("worker-main.js runs only as a worker thread");
const request = workerData as WorkerRequest;
const stop = new AbortController();
const onCommand = (command: WorkerCommand) => {
  if (command.kind === "abort") stop.abort();
};
port.on("message", onCommand);
const send = (message: WorkerMessage) => port.postMessage(message);

let batch: WindowsSession[] = [];
try {
  const result = await readWindowsSessions(request.files, {
    ...request.options,
    signal: stop.signal,
    onProgress: (progress) => send({ kind: "progress", ...progress }),
    sessionSink: (session) => {
      batch.push(session);
      if (batch.length >= SESSION_BATCH) {
        send({ kind: "sessions", sessions: batch });
        batch = [];
      }
    },
  });
  if (batch.length > 0) send({ kind: "sessions", sessions: batch });
  const { sessions: _none, ...rest } = result;
  send({ kind: "result", result: rest });
} catch (error) {
  send({
    kind: "error",
    aborted: stop.signal.aborted,
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
  });
} finally {
  // With no listener left the thread ends by itself, after its messages are delivered.
  port.off("message", onCommand);
}

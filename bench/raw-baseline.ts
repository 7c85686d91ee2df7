/**
 * The raw parse rate kontokoll's readers are measured against: the simplest correct way to read
 * JSON lines, a text stream split at newlines and each line given to JSON.parse.
 */
import { createReadStream } from "node:fs";

/** Parses every line of `file`; returns the lines parsed and their parsed values passed through `visit`. */
export async function parseJsonLines(file: string, visit: (value: unknown) => void = () => {}): Promise<number> {
  let lines = 0;
  let pending = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const parts = (pending + (chunk as string)).split("\n");
    pending = parts.pop()!;
    for (const line of parts) {
      if (line.length === 0) continue;
      visit(JSON.parse(line));
      lines++;
    }
  }
  if (pending.length > 0) {
    visit(JSON.parse(pending));
    lines++;
  }
  return lines;
}

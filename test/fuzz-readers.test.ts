/**
 * Property-based fuzzing of every reader of untrusted files (issue 11). Each starts from a valid
 * sample (test/helpers/bad-input-corpus.ts) that fast-check mutates: byte flips, truncation,
 * deleted and duplicated slices, inserted BOMs, NULs, huge numbers, deep JSON nesting, line breaks
 * and lone UTF-8 lead bytes, and values swapped for values of another type.
 *
 * 1. Any mutation: the reader finishes (a hang is a mocha timeout) and throws nothing but its
 *    documented whole-file error; each rejection names the file and a line inside it.
 * 2. A mutation inside one record that adds and removes no line break: every other record still
 *    comes through (decidable because records are line-local; for CSV only while the row's quotes
 *    and commas stay where they were, since an open quote may legally run over lines).
 *
 * Runs are seeded, so CI is deterministic; KONTOKOLL_FUZZ_RUNS=5000 runs longer locally and
 * KONTOKOLL_FUZZ_SEED picks another seed.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { CORPUS_READERS, readCorpusFile, sampleOf, type CorpusReader } from "./helpers/bad-input-corpus.js";

const RUNS = Number(process.env["KONTOKOLL_FUZZ_RUNS"] ?? 40);
const WINDOWS_READERS = new Set<CorpusReader>(["winlogbeat", "nxlog", "openwec", "evtx-dump", "sentinel-json", "sentinel-csv", "windows-xml"]);
const SEED = Number(process.env["KONTOKOLL_FUZZ_SEED"] ?? 20_261_123);

const TOKENS: Buffer[] = [
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xfe, 0xff]),
  Buffer.alloc(64),
  Buffer.from("\0"),
  Buffer.from("99999999999999999999999999999999999999"),
  Buffer.from("1e999999"),
  Buffer.from("-0.0000000000000000001e-400"),
  Buffer.from("[".repeat(5000)),
  Buffer.from('{"a":'.repeat(2000)),
  Buffer.from("]}".repeat(50)),
  Buffer.from("\n"),
  Buffer.from("\r"),
  Buffer.from("\r\n\r\n"),
  Buffer.from([0xc3]),
  Buffer.from([0xf0, 0x9f]),
  Buffer.from('"'),
  Buffer.from("\\"),
  Buffer.from("<"),
  Buffer.from("<Event>"),
  Buffer.from("</Event>"),
  Buffer.from("Record 7\n"),
  Buffer.from(" "),
  Buffer.from("\t"),
  Buffer.from("::::"),
  Buffer.from("dn: CN=x\n"),
  Buffer.from("&amp;&#0;&#xFFFF;"),
  Buffer.from("=HYPERLINK(\"http://evil.example\")"),
  Buffer.from("../../../etc/passwd"),
];
/** JSON values of every type, to swap for whatever value stands at a spot. */
const SWAPS = ["0", "-1", "1e309", "12345678901234567890", '"x"', '""', "[]", "{}", "null", "true", "[[[[[[[[]]]]]]]]", '{"a":{"b":{"c":[]}}}'];
const VALUE = /"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/g;

type Mutation =
  | { kind: "flip"; at: number; byte: number }
  | { kind: "truncate"; at: number }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; to: number }
  | { kind: "insert"; at: number; token: number }
  | { kind: "swap"; occurrence: number; swap: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 2000 }), to: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), token: fc.nat({ max: TOKENS.length - 1 }) }),
  fc.record({ kind: fc.constant("swap" as const), occurrence: fc.nat(), swap: fc.nat({ max: SWAPS.length - 1 }) }),
);

function mutate(input: Buffer, mutation: Mutation): Buffer {
  const at = (value: number) => (input.length === 0 ? 0 : value % (input.length + 1));
  switch (mutation.kind) {
    case "flip": {
      if (input.length === 0) return input;
      const copy = Buffer.from(input);
      copy[mutation.at % input.length] = mutation.byte;
      return copy;
    }
    case "truncate":
      return input.subarray(0, at(mutation.at));
    case "delete": {
      const start = at(mutation.at);
      return Buffer.concat([input.subarray(0, start), input.subarray(start + mutation.length)]);
    }
    case "duplicate": {
      const start = at(mutation.at);
      const slice = input.subarray(start, start + mutation.length);
      const to = at(mutation.to);
      return Buffer.concat([input.subarray(0, to), slice, input.subarray(to)]);
    }
    case "insert": {
      const start = at(mutation.at);
      return Buffer.concat([input.subarray(0, start), TOKENS[mutation.token]!, input.subarray(start)]);
    }
    case "swap": {
      const text = input.toString("latin1");
      const values = [...text.matchAll(VALUE)];
      if (values.length === 0) return input;
      const value = values[mutation.occurrence % values.length]!;
      return Buffer.from(text.slice(0, value.index) + SWAPS[mutation.swap]! + text.slice(value.index + value[0].length), "latin1");
    }
  }
}

/** Byte offsets [start, end) of each 1-based line (without its line break). */
function lineOffsets(content: Buffer): Array<[number, number]> {
  const offsets: Array<[number, number]> = [];
  let start = 0;
  for (;;) {
    const newline = content.indexOf(0x0a, start);
    if (newline === -1) {
      if (start < content.length) offsets.push([start, content.length]);
      return offsets;
    }
    offsets.push([start, newline]);
    start = newline + 1;
  }
}

/** The quotes and commas of a CSV row, in order. */
function csvSkeleton(row: Buffer): string {
  return row.toString("latin1").replace(/[^",]/g, "");
}

function countOf(bytes: Buffer, byte: number): number {
  let count = 0;
  for (const value of bytes) if (value === byte) count++;
  return count;
}

describe("fuzzing every reader with mutated input (fast-check)", function () {
  // Generous: a hang is what this would catch; the whole file normally takes seconds.
  this.timeout(300_000);
  let root: string;
  let runs = 0;
  /** Reads `content` in a folder of its own, removed at once: long local runs make tens of thousands. */
  const readFresh = async (reader: CorpusReader, content: Buffer) => {
    const dir = path.join(root, String(runs++));
    try {
      return await readCorpusFile(reader, dir, content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "kontokoll-fuzz-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const reader of CORPUS_READERS) {
    describe(reader, () => {
      const sample = sampleOf(reader);

      it("reads its valid sample completely (the baseline the mutations start from)", async () => {
        const outcome = await readFresh(reader, sample.content);
        assert.equal(outcome.error, undefined);
        assert.deepEqual(outcome.rejected, []);
        if (sample.records.length > 0) assert.deepEqual(outcome.good, sample.records.map((record) => record.key));
        else assert.ok(outcome.good.length > 0);
      });

      it(`survives ${RUNS} runs of arbitrary mutations: it ends, throws only its documented error, rejects within the file`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), async (mutations) => {
            const content = mutations.reduce(mutate, sample.content);
            // readCorpusFile lets anything but the reader's documented error escape, failing the property.
            const outcome = await readFresh(reader, content);
            // Every line break, in any encoding the reader may decode, holds a 0x0A or 0x0D byte.
            const maxLine = countOf(content, 0x0a) + countOf(content, 0x0d) + 1;
            for (const rejection of outcome.rejected) {
              assert.equal(rejection.file, outcome.file);
              assert.ok(Number.isInteger(rejection.line) && rejection.line >= 1 && rejection.line <= maxLine, `rejection line ${rejection.line} of at most ${maxLine}`);
            }
            if (outcome.error !== undefined) assert.ok(outcome.error.message.includes(path.basename(outcome.file)), outcome.error.message);
          }),
          { numRuns: RUNS, seed: SEED },
        );
      });

      if (sample.records.length === 0) return;
      it(`keeps every untouched record over ${RUNS} runs of mutations inside one record`, async () => {
        const lines = lineOffsets(sample.content);
        const insideOneLine = fc.record({
          record: fc.nat({ max: sample.records.length - 1 }),
          lineInRecord: fc.nat(),
          mutations: fc.array(mutationArb.filter((mutation) => mutation.kind !== "truncate" && mutation.kind !== "swap"), { minLength: 1, maxLength: 3 }),
        });
        await fc.assert(
          fc.asyncProperty(insideOneLine, async ({ record, lineInRecord, mutations }) => {
            const target = sample.records[record]!;
            const lineNumber = target.firstLine + (lineInRecord % (target.lastLine - target.firstLine + 1));
            const [start, end] = lines[lineNumber - 1]!;
            const original = sample.content.subarray(start, end);
            const mutated = mutations.reduce(mutate, original);
            // Only mutations that keep the line one line (no break added, none removed) are decidable here.
            fc.pre(!mutated.includes(0x0a) && !mutated.includes(0x0d) && mutated.length > 0);
            // The first bytes decide the file's encoding (a BOM, NULs of UTF-16) and, for Windows
            // events, its format: a mutation there changes the whole file, not one record.
            if (start < 64) fc.pre(!mutated.subarray(0, 64 - start).some((byte) => byte === 0 || byte === 0xff || byte === 0xfe || byte === 0x1f));
            if (WINDOWS_READERS.has(reader) && start === 0) fc.pre(mutated[0] === original[0]);
            // An open quote may legally run over lines in CSV: only mutations that leave the row's quotes and commas
            // where they were (field contents change, the row's shape does not) are decidable.
            if (reader === "sentinel-csv") fc.pre(csvSkeleton(mutated) === csvSkeleton(original));
            if (reader === "hibp") fc.pre(!/^[0-9A-Fa-f]{32}/.test(mutated.toString("latin1")) || mutated.toString("latin1").slice(0, 32).toUpperCase() === original.toString("latin1").slice(0, 32));
            const content = Buffer.concat([sample.content.subarray(0, start), mutated, sample.content.subarray(end)]);
            const outcome = await readFresh(reader, content);
            const untouched = sample.records.filter((_, index) => index !== record).map((entry) => entry.key);
            const missing = untouched.filter((key) => !outcome.good.includes(key));
            assert.deepEqual(missing, [], `records lost by a mutation of line ${lineNumber} only: ${JSON.stringify(mutated.toString("latin1").slice(0, 200))}`);
          }),
          { numRuns: RUNS, seed: SEED },
        );
      });
    });
  }
});

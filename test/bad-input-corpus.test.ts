/**
 * Runs every reader of untrusted files on every case of the bad-input corpus
 * (test/helpers/bad-input-corpus.ts) and holds it to the case's ground truth: every good record
 * comes through unchanged and in order, every bad record is rejected exactly once at its line (and
 * field), and nothing else is rejected; the whole-file readers fail only with their documented
 * ConfigError naming file, line and key.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildCorpus, CORPUS_READERS, readCorpusFile, type BadInputKind } from "./helpers/bad-input-corpus.js";

const corpus = buildCorpus();

/** The kinds of bad input the issue lists, which every reader of record files must face. */
const REQUIRED_FOR_RECORD_READERS: BadInputKind[] = ["malformed", "wrong-type", "missing-field", "truncated", "encoding", "long-line", "nul", "non-ascii", "formula", "path-traversal", "empty"];
const WHOLE_FILE_READERS = new Set(["config", "exceptions", "hibp"]);

describe("bad-input corpus: every reader on every case", function () {
  this.timeout(120_000);
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "kontokoll-corpus-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("has cases of every kind of bad input for every record reader", () => {
    for (const reader of CORPUS_READERS) {
      const kinds = new Set(corpus.filter((entry) => entry.reader === reader).map((entry) => entry.kind));
      const required = WHOLE_FILE_READERS.has(reader) ? ["truncated", "encoding", "malformed", "empty"] : REQUIRED_FOR_RECORD_READERS;
      for (const kind of required) {
        if (reader === "hibp" && kind === "malformed") continue;
        assert.ok(kinds.has(kind as BadInputKind), `${reader} has a ${kind} case`);
      }
    }
  });

  for (const reader of CORPUS_READERS) {
    describe(reader, () => {
      corpus
        .filter((entry) => entry.reader === reader)
        .forEach((entry, index) => {
          it(`${entry.kind}: ${entry.name}`, async () => {
            const truth = entry.build();
            const outcome = await readCorpusFile(reader, path.join(root, `${reader}-${index}`), truth.content);
            assert.deepEqual(outcome.good, truth.good, "every good record comes through, unchanged and in order; nothing else does");
            assert.deepEqual(
              outcome.rejected,
              truth.rejected.map((rejection) => ({ file: outcome.file, ...rejection })),
              "each bad record is rejected once, with its file, line and field",
            );
            if (truth.error === undefined) {
              assert.equal(outcome.error, undefined, "no whole-file error");
            } else {
              assert.ok(outcome.error !== undefined, "a whole-file problem is a documented error, not a silent empty result");
              assert.equal(outcome.error.line, truth.error.line, outcome.error.message);
              assert.equal(outcome.error.key, truth.error.key, outcome.error.message);
              const where = truth.error.line === undefined ? path.basename(outcome.file) : `${path.basename(outcome.file)}:${truth.error.line}`;
              assert.ok(outcome.error.message.includes(where), `"${outcome.error.message}" names ${where}`);
              if (truth.error.key !== "") assert.ok(outcome.error.message.includes(truth.error.key), `"${outcome.error.message}" names ${truth.error.key}`);
            }
          });
        });
    });
  }
});

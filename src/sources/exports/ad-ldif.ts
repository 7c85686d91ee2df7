/**
 * Reads Active Directory LDIF exports (ldifde, ldapsearch -LLL) into snapshot parts; the entries
 * are mapped by the same collector as a live LDAP search.
 */
import type { SourceCoverage } from "../../snapshot/model.js";
import { createAdEntryCollector, type AdDirectoryParts } from "../ad/entries.js";
import { CoverageRecorder } from "./coverage.js";
import { readLdifFile } from "./ldif.js";

export type { AdDomain } from "../ad/entries.js";

export interface AdExportResult extends AdDirectoryParts {
  /**
   * Source "ad". `ran` is true when at least one file could be read; files that could not be
   * read are named in `error`. recordsRead counts accepted entries (ignored object classes
   * included), recordsRejected the rejected ones.
   */
  coverage: SourceCoverage;
}

export async function readAdLdif(files: string[]): Promise<AdExportResult> {
  const recorder = new CoverageRecorder("ad", files.join(", "));
  const collector = createAdEntryCollector(recorder);
  let filesRead = 0;
  for (const file of files) {
    let lastLine = 0;
    try {
      for await (const record of readLdifFile(file)) {
        lastLine = record.kind === "rejected" ? record.line : record.entry.line;
        if (record.kind === "rejected") {
          const rejection = { file, line: record.line, message: record.message };
          recorder.reject(record.field === undefined ? rejection : { ...rejection, field: record.field });
        } else {
          collector.accept(record.entry, file);
        }
      }
      filesRead++;
    } catch (error) {
      if (recorder.fileFailed(file, lastLine, error)) filesRead++;
    }
  }
  const parts = collector.finish();
  if (files.length === 0) recorder.addError("no LDIF files given");
  return { ...parts, coverage: recorder.build(filesRead > 0) };
}

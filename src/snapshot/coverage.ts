import type { Snapshot, SourceKind } from "./model.js";

export function sourceRan(snapshot: Snapshot, source: SourceKind): boolean {
  return snapshot.coverage.sources.some((coverage) => coverage.source === source && coverage.ran);
}

/** True when a source that ran reported the data item as missing, or no source that provides it ran. */
export function isDataMissing(snapshot: Snapshot, item: string): boolean {
  return snapshot.coverage.sources.some(
    (coverage) => coverage.ran && coverage.missing.some((missing) => missing.item === item),
  );
}

/** Planted cases of the password checks (issue 6). */
import type { CatalogueInput, CataloguePart } from "./catalogue.js";

export function plantPasswordAuditCases(_input: CatalogueInput): CataloguePart {
  return { truth: () => ({}) };
}

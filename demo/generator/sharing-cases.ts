/** Planted cases of the sharing checks (issue 6). */
import type { CatalogueInput, CataloguePart } from "./catalogue.js";

export function plantSharingCases(_input: CatalogueInput): CataloguePart {
  return { truth: () => ({}) };
}

/** Planted cases of the hygiene checks (issue 6). */
import type { CatalogueInput, CataloguePart } from "./catalogue.js";

export function plantHygieneCases(_input: CatalogueInput): CataloguePart {
  return { truth: () => ({}) };
}

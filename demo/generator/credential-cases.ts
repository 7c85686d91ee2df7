/** Planted cases of the credential checks (issue 6). */
import type { CatalogueInput, CataloguePart } from "./catalogue.js";

export function plantCredentialCases(_input: CatalogueInput): CataloguePart {
  return { truth: () => ({}) };
}

import type { FakeGraph } from "./types.js";

/**
 * The `sources.entra` lines of a kontokoll configuration that reads this fake tenant live,
 * authenticated by `authLine` (e.g. "clientSecretEnv: NAME"; "" for none), indented for `sources:`.
 */
export function graphSourceYaml(fake: FakeGraph, authLine: string): string[] {
  return [
    "  entra:",
    "    type: graph",
    `    tenantId: ${fake.tenantId}`,
    `    clientId: ${fake.clientId}`,
    `    graphBaseUrl: ${fake.baseUrl}`,
    `    authorityHost: ${fake.authorityHost}`,
    `    caFile: ${fake.caFile}`,
    ...(authLine === "" ? [] : [`    ${authLine}`]),
  ];
}

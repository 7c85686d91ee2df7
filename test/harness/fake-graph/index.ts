/**
 * A local HTTPS server speaking Microsoft Graph's and Entra ID's wire protocol, for integration
 * tests of the Entra source. See test/harness/README.md ("Fake Microsoft Graph").
 */
export { startFakeGraph, DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID } from "./server.js";
export { DEFAULT_GRANTED_ROLES } from "./routes.js";
export { MAX_BATCH_REQUESTS } from "./graph.js";
export { readPagesFile } from "./collections.js";
export { graphSourceYaml } from "./config-yaml.js";
export type {
  Bucket,
  ChaosRule,
  FakeGraph,
  FakeGraphOptions,
  Fault,
  GraphVersion,
  Licences,
  RequestLogEntry,
  ThrottleConfig,
  ThrottleSetting,
} from "./types.js";

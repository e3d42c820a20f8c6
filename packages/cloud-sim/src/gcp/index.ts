export {
  startGcpSim,
  GCP_DEFAULT_THROTTLE,
  type GcpSim,
  type GcpSimOptions,
  type GcpSimConfig,
  type GcpSummary,
  type RegisterServiceAccount,
} from "./server.ts";
export {
  seedGcpOrg,
  seedGcpDemo,
  type GcpSeedOptions,
  type GcpSeedResult,
  type GcpDemo,
  DEMO_ORG_ID,
  DEMO_DOMAIN,
  DEMO_SA_EMAIL,
  DEMO_SA_TOKEN,
  DEMO_READONLY_EMAIL,
  DEMO_READONLY_TOKEN,
} from "./seed.ts";
export type { ServiceAccountKeyFile } from "./auth.ts";
export { DEFAULT_LIMITS as GCP_DEFAULT_LIMITS, type GcpLimits, type GcpStateSnapshot } from "./model.ts";
export { GcpError } from "./errors.ts";

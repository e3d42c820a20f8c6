export { startGcpSim, GCP_DEFAULT_THROTTLE, type GcpSim } from "./server.ts";
export { seedGcpOrg, seedGcpDemo, type GcpDemo, DEMO_ORG_ID, DEMO_SA_EMAIL, DEMO_SA_TOKEN } from "./seed.ts";

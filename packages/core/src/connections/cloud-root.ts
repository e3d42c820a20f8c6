/** What each cloud calls the root Parapet connects to (UI labels and messages; no server code here, the console imports it). */
export const CLOUD_ROOT = { aws: "AWS Organization", azure: "Azure tenant", gcp: "GCP organization", oci: "OCI tenancy" } as const;

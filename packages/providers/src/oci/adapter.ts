/**
 * OCI adapter: IAM policies (Identity) and security zones with Parapet-owned recipes (Cloud Guard),
 * through the official SDKs. Ownership is the `parapet-` name prefix plus the freeform tag
 * `parapet-managed=<workspaceId>`, always read back from OCI before anything is changed.
 * This file only wires the capabilities together; each lives in its own file: context.ts (config,
 * clients, the recorded call, etag retries), verify.ts, discover.ts, observe.ts, apply.ts (routing),
 * policies.ts and security-zones.ts (one per artifact family, zone-reads.ts beside the latter),
 * compare.ts and packing.ts.
 */
import { scanOciPosture } from "./posture.ts";
import { composeAdapter } from "../common/adapter.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { applyOci } from "./apply.ts";
import { lookupOciPrincipals, readOciAuditEvents } from "./audit-read.ts";
import { compareOci } from "./compare.ts";
import { OciContext, type OciAdapterConfig } from "./context.ts";
import { discoverOci, discoverOciNodes } from "./discover.ts";
import { observeOci } from "./observe.ts";
import { verifyOci } from "./verify.ts";

export { ZOciCredentials, type TOciCredentials } from "./credentials.ts";
export type { OciAdapterConfig } from "./context.ts";

/** The OCI adapter behind the shared contract; throws ProviderError (INVALID_CREDENTIALS) on malformed credentials. */
export function createOciAdapter(config: OciAdapterConfig): CloudAdapter {
  const context = new OciContext(config);
  const adapter = composeAdapter(context, {
    cloud: "oci",
    verify: verifyOci,
    discover: discoverOci,
    discoverNodes: discoverOciNodes,
    observe: observeOci,
    apply: applyOci,
    compare: (ctx, desired, observed) => compareOci(desired, observed, ctx.ws),
    recorder: (ctx) => ctx.recorder,
    close: async (ctx) => {
      ctx.sdk?.close();
      ctx.sdk = undefined;
    },
  });
  return {
    ...adapter,
    leafEnvironments: true,
    readAuditEvents: (req) => readOciAuditEvents(context, req),
    scanPosture: (req) => scanOciPosture(context, req),
    lookupPrincipals: (ids) => lookupOciPrincipals(context, ids),
  };
}

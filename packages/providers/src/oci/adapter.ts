/**
 * OCI adapter: IAM policies (Identity) and security zones with Parapet-owned recipes (Cloud Guard),
 * through the official SDKs. Ownership is the `parapet-` name prefix plus the freeform tag
 * `parapet-managed=<workspaceId>`, always read back from OCI before anything is changed.
 * This file only wires the capabilities together; each lives in its own file: context.ts (config,
 * clients, the recorded call, etag retries), verify.ts, discover.ts, observe.ts, apply.ts (routing),
 * policies.ts and security-zones.ts (one per artifact family, zone-reads.ts beside the latter),
 * compare.ts and packing.ts.
 */
import type { ApplyResult, CallStats, Change, CloudAdapter, DesiredArtifact, Difference, Hierarchy, ObservedArtifact, ObservedState, ObserveRequest, VerifyResult } from "../contract/types.ts";
import { applyOci } from "./apply.ts";
import { compareOci } from "./compare.ts";
import { OciContext, type OciAdapterConfig } from "./context.ts";
import { discoverOci } from "./discover.ts";
import { observeOci } from "./observe.ts";
import { verifyOci } from "./verify.ts";

export { ZOciCredentials, type TOciCredentials } from "./credentials.ts";
export { minimumPermissions, ociBootstrapStatements } from "./permissions.ts";
export type { OciAdapterConfig } from "./context.ts";

class OciAdapter implements CloudAdapter {
  readonly cloud = "oci" as const;
  private readonly ctx: OciContext;

  constructor(config: OciAdapterConfig) {
    this.ctx = new OciContext(config);
  }

  verify(): Promise<VerifyResult> {
    return verifyOci(this.ctx);
  }

  discover(): Promise<Hierarchy> {
    return discoverOci(this.ctx);
  }

  observe(req: ObserveRequest): Promise<ObservedState> {
    return observeOci(this.ctx, req);
  }

  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
    return compareOci(desired, observed, this.ctx.ws);
  }

  apply(change: Change): Promise<ApplyResult> {
    return applyOci(this.ctx, change);
  }

  stats(): CallStats {
    return this.ctx.recorder.stats();
  }

  resetStats(): void {
    this.ctx.recorder.reset();
  }

  async close(): Promise<void> {
    this.ctx.sdk?.close();
    this.ctx.sdk = undefined;
  }
}

/** The OCI adapter behind the shared contract; throws ProviderError (INVALID_CREDENTIALS) on malformed credentials. */
export function createOciAdapter(config: OciAdapterConfig): CloudAdapter {
  return new OciAdapter(config);
}

/**
 * Azure adapter: policy definitions, initiatives (policy set definitions), assignments and
 * exemptions through @azure/arm-policy and @azure/arm-managementgroups. Ownership is
 * `metadata.parapetOwner = <workspaceId>`, always read back from ARM before anything is changed.
 * This file only wires the capabilities together; each lives in its own file:
 *   context.ts   configuration, clients, the recorded/retried call, paging, scopes
 *   verify.ts    permission probes;   discover.ts  management groups and subscriptions
 *   resources.ts reads per kind;      writes.ts    PUT / DELETE per kind
 *   observe.ts   Parapet's artifacts; apply.ts     create / update / attach / detach / delete
 *   compare.ts   normalisation and drift classification; packing.ts initiatives per scope
 */
import type { ApplyResult, CallStats, Change, CloudAdapter, DesiredArtifact, Difference, Hierarchy, ObservedArtifact, ObservedState, ObserveRequest, VerifyResult } from "../contract/types.ts";
import { applyAzure } from "./apply.ts";
import { compareAzureArtifact } from "./compare.ts";
import { AzureContext, type AzureAdapterConfig } from "./context.ts";
import { discoverAzure } from "./discover.ts";
import { observeAzure } from "./observe.ts";
import { verifyAzure } from "./verify.ts";

export { ZAzureCredentials, type TAzureCredentials } from "./credentials.ts";
export { minimumPermissions, azureCustomRoleDefinition, AZURE_BUILT_IN_ROLE } from "./permissions.ts";
export { DEFAULT_ARM_ENDPOINT, type AzureAdapterConfig } from "./context.ts";

class AzureAdapter implements CloudAdapter {
  readonly cloud = "azure" as const;
  private readonly ctx: AzureContext;

  constructor(config: AzureAdapterConfig) {
    this.ctx = new AzureContext(config);
  }

  verify(): Promise<VerifyResult> {
    return verifyAzure(this.ctx);
  }

  discover(): Promise<Hierarchy> {
    return discoverAzure(this.ctx);
  }

  observe(req: ObserveRequest): Promise<ObservedState> {
    return observeAzure(this.ctx, req);
  }

  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
    return compareAzureArtifact(desired, observed);
  }

  apply(change: Change): Promise<ApplyResult> {
    return applyAzure(this.ctx, change);
  }

  stats(): CallStats {
    return this.ctx.recorder.stats();
  }

  resetStats(): void {
    this.ctx.recorder.reset();
  }

  async close(): Promise<void> {
    // The SDK clients hold no sockets open beyond keep-alive connections that close on their own.
  }
}

export function createAzureAdapter(config: AzureAdapterConfig): CloudAdapter {
  return new AzureAdapter(config);
}

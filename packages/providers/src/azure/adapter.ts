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
 *   audit.ts     Activity Log reader (impact replay); audit-records.ts its pure parser
 */
import { composeAdapter } from "../common/adapter.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { applyAzure } from "./apply.ts";
import { readAzureAuditEvents } from "./audit.ts";
import { compareAzureArtifact } from "./compare.ts";
import { AzureContext, type AzureAdapterConfig } from "./context.ts";
import { discoverAzure, discoverAzureNodes } from "./discover.ts";
import { observeAzure } from "./observe.ts";
import { scanAzurePosture } from "./posture.ts";
import { verifyAzure } from "./verify.ts";

export { type TAzureCredentials } from "./credentials.ts";
export { type AzureAdapterConfig } from "./context.ts";

export function createAzureAdapter(config: AzureAdapterConfig): CloudAdapter {
  const ctx = new AzureContext(config);
  const adapter = composeAdapter(ctx, {
    cloud: "azure",
    verify: verifyAzure,
    discover: discoverAzure,
    discoverNodes: discoverAzureNodes,
    observe: observeAzure,
    apply: applyAzure,
    compare: (_ctx, desired, observed) => compareAzureArtifact(desired, observed),
    recorder: (ctx) => ctx.recorder,
    close: async () => {
      // The SDK clients hold no sockets open beyond keep-alive connections that close on their own.
    },
  });
  return { ...adapter, readAuditEvents: (req) => readAzureAuditEvents(ctx, req), scanPosture: (req) => scanAzurePosture(ctx, req) };
}

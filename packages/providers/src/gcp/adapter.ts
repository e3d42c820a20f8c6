/**
 * The GCP adapter: Resource Manager v3 for the hierarchy, Org Policy v2 for org policies and custom
 * constraints, IAM v2 for deny policies, through the official SDKs (REST fallback).
 *
 * Ownership, per kind, read from the cloud before any write:
 * - IAM deny policies: id prefix `parapet-` and the annotation `parapet-managed=<workspace>` (IAM v2
 *   policies have annotations, not labels; Parapet's `labels` are written there).
 * - Custom constraints: the name prefix `custom.parapet<ws-short>` (they carry no labels).
 * - Org policies: the API has no labels or annotations, and a policy is a singleton per (node,
 *   constraint) shared with the customer. A policy on one of this workspace's custom constraints is
 *   wholly Parapet's (replaced on update, deleted on delete). A policy on any other constraint is a
 *   shared slot: Parapet merges its rules into what is there (or refuses with
 *   CUSTOMER_POLICY_CONFLICT) and observes it as drift-free while merging would change nothing. Which
 *   rules are Parapet's comes from Parapet's record of what it applied (`previous` on the change):
 *   updates and removals take exactly those back, and the policy is deleted only when nothing else
 *   remains in it.
 *
 * Retries: the SDKs' own retries are switched off per call (`retry: null`) so every throttle reaches
 * the CallRecorder; throttled/unavailable calls are retried by withRetry, and an etag conflict
 * (ABORTED) re-reads the resource and re-merges before writing again.
 *
 * This file only wires the capabilities together; each lives in its own file: context.ts (settings,
 * clients, the recorded call), verify.ts, discover.ts, observe.ts, apply.ts (routing per change), one
 * file per artifact family (org-policies.ts, custom-constraints.ts, deny-policies.ts), policy.ts
 * (normalisation, merge), compare.ts (drift classification) and packing.ts (bodies per node).
 */
import { scanGcpPosture } from "./posture.ts";
import { composeAdapter } from "../common/adapter.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { applyGcp } from "./apply.ts";
import { readGcpAuditEvents } from "./audit.ts";
import { compareGcpArtifact } from "./compare.ts";
import { GcpContext, type GcpAdapterConfig } from "./context.ts";
import { lookupGcpPrincipalGroups } from "./principal-groups.ts";
import { discoverGcp, discoverGcpNodes } from "./discover.ts";
import { observeGcp } from "./observe.ts";
import { verifyGcp } from "./verify.ts";

export type { GcpAdapterConfig } from "./context.ts";

export function createGcpAdapter(config: GcpAdapterConfig): CloudAdapter {
  const ctx = new GcpContext(config);
  const adapter = composeAdapter(ctx, {
    cloud: "gcp",
    verify: verifyGcp,
    discover: discoverGcp,
    discoverNodes: discoverGcpNodes,
    observe: observeGcp,
    apply: applyGcp,
    compare: compareGcpArtifact,
    recorder: (ctx) => ctx.rec,
    close: (c) => c.c.close(),
  });
  // Audit-log reads for impact replay (audit.ts); optional on the contract, so added beside it.
  return {
    ...adapter,
    readAuditEvents: (req) => readGcpAuditEvents(ctx, req),
    lookupPrincipals: (ids) => lookupGcpPrincipalGroups(ctx, ids),
    scanPosture: (req) => scanGcpPosture(ctx, req),
  };
}

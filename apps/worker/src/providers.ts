/**
 * Composition root for cloud adapters: the one place that knows which adapter serves which cloud and
 * how Parapet's stored connection (endpoint, decrypted credentials, facts) maps onto its config.
 */
import type { AdapterFactory, AdapterRequest } from "@parapet/core/reconcile/reconcile-connection";
import { providerError, type CloudAdapter, type CloudId } from "@parapet/providers/contract";
import { createAwsAdapter } from "@parapet/providers/aws/adapter";
import { ZAwsCredentials } from "@parapet/providers/aws/credentials";
import type { TAwsPolicyLimits } from "@parapet/providers/aws/types";
import { createAzureAdapter } from "@parapet/providers/azure/adapter";
import { ZAzureCredentials } from "@parapet/providers/azure/credentials";
import { createGcpAdapter } from "@parapet/providers/gcp/adapter";
import { ZGcpCredentials } from "@parapet/providers/gcp/credentials";
import { createOciAdapter, ZOciCredentials } from "@parapet/providers/oci/adapter";
import { EgressGuard, parseEgressAllowlist } from "@parapet/providers/egress/index";
import { endpointAllowlist } from "./env.ts";

type Factory = (req: AdapterRequest) => CloudAdapter | Promise<CloudAdapter>;

let egressGuard: EgressGuard | undefined;

/** The worker's outbound policy; main.ts sets it (with logging) at start, otherwise it is read from the environment. */
export function configureEgress(guard: EgressGuard): void {
  egressGuard = guard;
}

/** PARAPET_ENDPOINT_ALLOWLIST decides which non-cloud hosts (simulators, private endpoints) connections may reach. */
export function egress(): EgressGuard {
  return (egressGuard ??= new EgressGuard({ allowlist: parseEgressAllowlist(endpointAllowlist()) }));
}

const facts = (req: AdapterRequest) => (req.facts ?? {}) as Record<string, string | undefined>;
/** The AWS audit source as connections/audit-source.ts checked it when saved. */
const awsAuditSource = (req: AdapterRequest) =>
  req.auditSource as
    { orgTrail?: { bucket: string; prefix?: string; regions: string[] }; configAggregator?: { name: string; region: string } } | undefined;

/** Exhaustive: a cloud added to CloudId without an adapter here fails the typecheck, not a reconcile. */
const FACTORIES: Record<CloudId, Factory> = {
  aws: (req) =>
    createAwsAdapter({
      workspaceId: req.workspaceId,
      egress: egress(),
      credentials: ZAwsCredentials.parse(req.credentials),
      // Checked when saved (connections/audit-source.ts); only impact replays pass it.
      orgTrail: awsAuditSource(req)?.orgTrail ?? null,
      configAggregator: awsAuditSource(req)?.configAggregator ?? null,
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      facts: facts(req),
      limits: (req.limits as { aws?: Partial<TAwsPolicyLimits> } | null)?.aws ?? (req.limits as Partial<TAwsPolicyLimits> | null) ?? {},
    }),
  azure: (req) => {
    // A sovereign cloud or the simulator has its own token authority and may present a private CA.
    const { authorityHost, caPem, ...credentials } = (req.credentials ?? {}) as Record<string, unknown>;
    return createAzureAdapter({
      workspaceId: req.workspaceId,
      egress: egress(),
      credentials: ZAzureCredentials.parse(credentials),
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      ...(typeof authorityHost === "string" ? { authorityHost } : {}),
      ...(typeof caPem === "string" ? { tlsCa: caPem } : {}),
      facts: { rootManagementGroupId: facts(req).rootManagementGroupId, tenantId: facts(req).tenantId },
    });
  },
  gcp: (req) =>
    createGcpAdapter({
      workspaceId: req.workspaceId,
      egress: egress(),
      credentials: ZGcpCredentials.parse(req.credentials),
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      facts: { organizationId: facts(req).organizationId ?? "" },
    }),
  oci: (req) =>
    createOciAdapter({
      workspaceId: req.workspaceId,
      egress: egress(),
      credentials: ZOciCredentials.parse(req.credentials),
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      facts: { tenancyId: facts(req).tenancyOcid },
    }),
};

export const adapterFor: AdapterFactory = (req) => {
  // The request's cloud comes from a stored row: guard it at run time too.
  const f = Object.hasOwn(FACTORIES, req.cloud) ? FACTORIES[req.cloud] : undefined;
  if (!f) throw providerError("invalid", "adapter", `no adapter is available for ${String(req.cloud)}`);
  return f(req);
};

import { z } from "zod";
import { listOf, stored, wireEnum, ZCloudName, ZIsoDateTime, ZJsonObject as ZJsonOut } from "../common/wire.schema.ts";
import { ZApproval } from "../approvals/approvals.schema.ts";
import { ZAwsCredentials } from "@parapet/providers/aws/credentials";
import { ZAzureCredentials } from "@parapet/providers/azure/credentials";
import { ZGcpCredentials } from "@parapet/providers/gcp/credentials";
import { ZOciCredentials } from "@parapet/providers/oci/credentials";

const ZCloud = ZCloudName;
export type TCloudName = z.infer<typeof ZCloud>;

/** Per-cloud credential schemas, owned by the providers. */
export const ZCredentialsByCloud = { aws: ZAwsCredentials, azure: ZAzureCredentials, gcp: ZGcpCredentials, oci: ZOciCredentials } as const;

const ZJsonObject = z.record(z.string().max(100), z.unknown());
const ZEndpoint = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2048);

/** Cloud-specific parts (credentials, facts, principals) are checked per cloud by the use-case. */
export const ZCreateConnectionInput = z
  .object({
    cloud: ZCloud,
    name: z.string().trim().min(1).max(200),
    endpoint: ZEndpoint.optional(),
    credentials: ZJsonObject,
    facts: ZJsonObject,
    principals: ZJsonObject.optional(),
    pollIntervalSec: z.number().int().min(30).max(86_400).optional(),
  })
  .strict();
export type TCreateConnectionInput = z.infer<typeof ZCreateConnectionInput>;

export const ZUpdateConnectionInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    principals: ZJsonObject.optional(),
    pollIntervalSec: z.number().int().min(30).max(86_400).optional(),
    limits: z.record(z.string().max(100), z.number().int().min(0).max(1_000_000)).optional(),
    /** Where impact replay reads the audit log (AWS: `{ orgTrail: { bucket, prefix?, regions } }`); checked per cloud. */
    auditSource: ZJsonObject.optional(),
    wizardState: ZJsonObject.optional(),
  })
  .strict();
export type TUpdateConnectionInput = z.infer<typeof ZUpdateConnectionInput>;

export const ZRotateCredentialsInput = z.object({ credentials: ZJsonObject }).strict();
export const ZBootstrapQuery = z.object({ cloud: ZCloud });
export const ZDeleteConnectionQuery = z.object({ confirm: z.string().max(200) });

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

const CONNECTION_STATUSES = ["draft", "verifying", "active", "error", "disabled"] as const;

/**
 * The last permission check, as the worker stored it (providers' VerifyResult plus warnings). Stored
 * JSON: fields the console reads are typed, anything else recorded beside them is kept.
 */
const ZVerifyResult = z.looseObject({
  ok: z.boolean(),
  identity: z.string().optional(),
  rootId: z.string().optional(),
  checks: z.array(z.looseObject({ permission: z.string(), ok: z.boolean(), detail: z.string().optional() })).optional(),
  missing: z.array(z.string()).optional(),
  error: z.string().optional(),
  /** Access is fine but something else stands in the way (e.g. the root is already managed by another connection). */
  warnings: z.array(z.string()).optional(),
});

/** A connection as the API returns it (connection-view.ts): never credentials, never secrets. */
export const ZConnection = z.object({
  id: z.string(),
  cloud: wireEnum(["aws", "azure", "gcp", "oci"]),
  name: z.string(),
  status: wireEnum(CONNECTION_STATUSES),
  rootId: z.string().nullable(),
  endpoint: z.string().nullable(),
  /** Non-secret parts of the credentials (ids, the key's fingerprint), for recognising them. */
  credentialHints: stored(ZJsonOut),
  /** What discovery learned about the root (organisation id, tenancy, …). */
  facts: stored(ZJsonOut),
  /** Principal classes (connector, break-glass, …) exempt from every deny. */
  principals: stored(ZJsonOut),
  limits: stored(ZJsonOut),
  auditSource: stored(ZJsonOut),
  pollIntervalSec: z.number().int(),
  wizardState: stored(ZJsonOut),
  lastVerifiedAt: ZIsoDateTime.nullable(),
  verifyResult: stored(ZVerifyResult.nullable()),
  lastDiscoveredAt: ZIsoDateTime.nullable(),
  lastReconciledAt: ZIsoDateTime.nullable(),
  lastReconcileStatus: z.string().nullable(),
  lastError: z.string().nullable(),
  hasEventSecret: z.boolean(),
  environments: z.number().int(),
  createdAt: ZIsoDateTime,
  updatedAt: ZIsoDateTime,
});
export const ZConnectionList = listOf(ZConnection);
/** A connection just created or re-credentialed, with the verification job queued for it (null when the queue was away). */
export const ZConnectionWithVerifyJob = ZConnection.extend({ verifyJobId: z.string().nullable() });
/** 200 the connection; 202 `{ approval, connection }` when a principal change weakens protection. */
export const ZConnectionUpdate = z.union([ZConnection, z.object({ approval: ZApproval, connection: ZConnection })]);
export const ZConnectionDeleted = z.object({ id: z.string(), deleted: z.boolean() });
export const ZEventSecret = z.object({ url: z.string(), secret: z.string() });

export const ZBootstrap = z.object({
  cloud: ZCloudName,
  externalId: z.string().optional(),
  files: z.array(z.object({ name: z.string(), language: z.enum(["yaml", "json", "shell", "text"]), content: z.string() })),
  permissions: z.array(z.object({ permission: z.string(), why: z.string() })),
});

/** The plan a preview stored (reconcile-connection.ts): changes it would make, problems, what it could not read. */
const ZPreviewPlan = z.looseObject({
  changes: z.array(
    z.looseObject({
      op: z.string(),
      cause: z.string().optional(),
      reason: z.string().optional(),
      kind: z.string().optional(),
      name: z.string().optional(),
      target: z.string().optional(),
    }),
  ),
  problems: z.array(
    z.looseObject({ code: z.string(), message: z.string(), guardrailIds: z.array(z.string()).optional(), target: z.string().optional() }),
  ),
  unknown: z.array(
    z.looseObject({ kind: z.string().optional(), name: z.string().optional(), target: z.string().optional(), reason: z.string() }),
  ),
});
/** The latest plan preview; `status: "none"` (all else null) before the first. */
export const ZPreviewRun = z.object({
  id: z.string().nullable(),
  status: z.string(),
  plan: stored(ZPreviewPlan.nullable()),
  error: z.string().nullable(),
  startedAt: ZIsoDateTime.nullable(),
  finishedAt: ZIsoDateTime.nullable(),
});

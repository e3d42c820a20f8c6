/**
 * The adapter contract every cloud implements. Core's reconcile engine speaks only these types; the
 * native bodies (`body`) are the per-cloud types in ../<cloud>/types.ts.
 */

import type { AuditPage, AuditReadRequest, PrincipalFacts } from "./audit.ts";
import type { ForeignAdoption, PostureInventory, PostureScanRequest } from "./posture.ts";

export type CloudId = "aws" | "azure" | "gcp" | "oci";

/** A place in the hierarchy where policy can attach, as the cloud reports it. */
export interface DiscoveredNode {
  /** The cloud's id: r-xxxx / ou-xxxx / 123456789012; management group name / subscription id;
   *  organizations/1 / folders/2 / projects/3; OCIDs. */
  externalId: string;
  /** root | ou | account | management-group | subscription | organization | folder | project | tenancy | compartment */
  kind: string;
  name: string;
  parentExternalId: string | null;
  /** Leaves (account, subscription, project, compartment): coverage is counted per environment. */
  isEnvironment: boolean;
  /** Labels from the cloud's tags/labels, as strings. */
  labels: Record<string, string>;
}

export interface Hierarchy {
  rootExternalId: string;
  nodes: DiscoveredNode[];
}

/**
 * One node read by id (`discoverNodes`). `node: null` means the cloud says no such node exists in this
 * connection's root: never created, deleted, left the organization, or another organization's id. A read
 * the cloud could not answer throws instead, so "gone" is never guessed from a failure.
 */
export interface NodeRead {
  externalId: string;
  node: DiscoveredNode | null;
}

/** Native object kinds Parapet can own. */
export type ArtifactKind =
  | "aws.scp"
  | "aws.rcp"
  | "azure.policy-definition"
  | "azure.policy-set-definition"
  | "azure.policy-assignment"
  | "azure.policy-exemption"
  | "gcp.org-policy"
  | "gcp.custom-constraint"
  | "gcp.deny-policy"
  | "oci.policy"
  | "oci.security-recipe"
  | "oci.security-zone";

/**
 * An artifact as Parapet wants it. `name` is deterministic and carries the ownership prefix; it is
 * the artifact's identity across reconciles. `attachments` lists node external ids: the targets of
 * an AWS policy, or the single scope/attachment point of the scoped kinds on the other clouds.
 */
export interface DesiredArtifact {
  kind: ArtifactKind;
  name: string;
  body: unknown;
  attachments: string[];
  /** Guardrails whose intent this artifact carries (for drift attribution and messages). */
  guardrailIds: string[];
}

export interface ObservedArtifact {
  kind: ArtifactKind;
  name: string;
  /** The cloud's id (policy id, ARM id, resource name, OCID). */
  externalId: string;
  /** Normalised to the same shape as DesiredArtifact.body so they compare field by field. */
  body: unknown;
  attachments: string[];
  /** True only when the ownership marker names this workspace. */
  owned: boolean;
  /** Concurrency token where the cloud has one (GCP etag, OCI etag). */
  etag?: string;
}

export interface ObserveRequest {
  /**
   * The artifacts Parapet expects (desired or recorded), so adapters can read exactly those: by
   * externalId when known, else by name within the attachment scope(s) given.
   */
  expected: Array<{ kind: ArtifactKind; name: string; externalId?: string | null; attachments?: string[] }>;
  /**
   * Targets whose occupancy matters for packing (AWS: attachment slots used by others). Adapters may
   * read only those where an expected artifact is not attached yet: elsewhere nothing new takes a slot.
   */
  targets?: string[];
  /**
   * Also look for artifacts carrying this workspace's ownership marker that nothing expects (the
   * orphan of a run that crashed between creating and recording it). Costs listing calls; adapters
   * that read by id do it anyway whenever an expected artifact has no recorded externalId.
   */
  sweep?: boolean;
}

export interface ObservedState {
  artifacts: ObservedArtifact[];
  /** Attachment slots on each requested target held by artifacts Parapet does not own, per kind. */
  foreignSlots: Record<string, Partial<Record<ArtifactKind, number>>>;
  /**
   * Artifacts or targets whose reads failed. The engine treats them as unknown: it plans no write
   * that depends on them and opens no drift for them.
   */
  unreadable: Array<{ kind?: ArtifactKind; name?: string; target?: string; reason: string }>;
}

/**
 * `previous` on update/detach/delete: the body Parapet recorded as last applied for this artifact
 * (from its own record, never from the cloud). Adapters of slots shared with the customer (GCP org
 * policies, which carry no owner per rule) take back exactly those rules and leave the customer's.
 */
export type Change =
  | { op: "create"; artifact: DesiredArtifact; reason: string }
  | { op: "update"; artifact: DesiredArtifact; externalId: string; etag?: string; previous?: unknown; reason: string }
  | { op: "attach"; kind: ArtifactKind; name: string; externalId: string; target: string; reason: string }
  | { op: "detach"; kind: ArtifactKind; name: string; externalId: string; target: string; previous?: unknown; reason: string }
  | { op: "delete"; kind: ArtifactKind; name: string; externalId: string; previous?: unknown; reason: string };

export interface ApplyResult {
  /** The cloud id of the artifact after the change (set by create). */
  externalId?: string;
  /** True when the cloud already was in the requested state (duplicate attach, already deleted…). */
  noop?: boolean;
}

export type Difference = { equal: true } | { equal: false; kind: "modified" | "weakened"; detail: string };

export interface PermissionCheck {
  permission: string;
  ok: boolean;
  detail?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Identity the credentials resolved to (role ARN, app id, service account, user OCID). */
  identity?: string;
  rootId?: string;
  checks: PermissionCheck[];
  /** Permissions that are required and missing, named in the cloud's own terms. */
  missing: string[];
  error?: string;
}

export interface CallRecord {
  operation: string;
  ms: number;
  ok: boolean;
  throttled: boolean;
  write: boolean;
}

export interface CallStats {
  reads: number;
  writes: number;
  throttled: number;
  errors: number;
  byOperation: Record<string, number>;
}

/**
 * One connected cloud root. Every method is safe to retry; `apply` is idempotent and refuses to
 * change anything whose ownership marker does not name this workspace.
 */
export interface CloudAdapter {
  readonly cloud: CloudId;
  verify(): Promise<VerifyResult>;
  discover(): Promise<Hierarchy>;
  /**
   * Targeted discovery: reads only the nodes named (parent, name, kind, tags), a handful of calls each,
   * through this connection's own credentials, so a node of another root reads as `null`. Clouds whose
   * events cannot be narrowed to nodes leave it out and get a full `discover` instead.
   */
  discoverNodes?(externalIds: readonly string[]): Promise<NodeRead[]>;
  /**
   * Environments are the leaves of the tree (OCI: a compartment with no child compartment). A targeted
   * read can say whether the node it reads is a leaf, not whether its old or new parent still is one, so
   * after applying targeted reads core derives every node's `isEnvironment` from the tree, as the full
   * `discover` does.
   */
  readonly leafEnvironments?: boolean;
  observe(req: ObserveRequest): Promise<ObservedState>;
  apply(change: Change): Promise<ApplyResult>;
  /**
   * Reads one page of the connection's audit log (management events, and data events where the
   * customer logs them) for impact replay. Absent on a cloud whose reader is not wired.
   */
  readAuditEvents?(req: AuditReadRequest): Promise<AuditPage>;
  /**
   * Facts the audit log leaves out but guardrails test (principal tags, group memberships), read
   * through the connection's own credentials; callers cache them per replay.
   */
  lookupPrincipals?(ids: readonly string[]): Promise<PrincipalFacts[]>;
  /**
   * The customer's own preventive policies (everything Parapet does not own), read only: the posture
   * scan. Never called by reconcile, so a normal observe never pays for it.
   */
  scanPosture?(req: PostureScanRequest): Promise<PostureInventory>;
  /**
   * Adoption of an approved foreign policy (see ForeignAdoption): present only on clouds where replacing
   * it with zero gap is implemented (AWS). Never called by the plan/apply path.
   */
  adoption?: ForeignAdoption;
  /** Field-by-field comparison of desired vs observed bodies, classifying weakening changes. */
  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference;
  /** API calls made since creation or the last reset. */
  stats(): CallStats;
  resetStats(): void;
  close(): Promise<void>;
}

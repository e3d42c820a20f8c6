/**
 * Brownfield posture (issue 19): the customer's own preventive policies, read without writing
 * anything. A posture scan is separate from observe (it reads what Parapet does NOT own, which observe
 * never does), paced by the same per-connection limiter, and its calls are counted only when it runs.
 */
import type { CloudId } from "./types.ts";

/**
 * Kinds of foreign policy a scan reports. Bodies (`ForeignPolicy.body`) per kind:
 * - `aws.scp` / `aws.rcp`: `{ content: string }` — the policy document exactly as DescribePolicy returns it.
 * - `azure.policy-assignment`: `TAzureForeignAssignment` (../azure/posture.ts) — the assignment with its
 *   definition(s) resolved, so rules are evaluable without further reads.
 * - `azure.policy-exemption`: `{ policyAssignmentId, policyDefinitionReferenceIds, exemptionCategory }`.
 * - `gcp.org-policy`: `{ constraint, spec?, dryRunSpec? }`; `gcp.custom-constraint`: the constraint;
 *   `gcp.deny-policy`: `{ rules }`.
 * - `oci.policy`: `{ compartmentId, statements }`; `oci.security-zone`: `{ compartmentId, policies }` (names).
 */
type ForeignPolicyKind =
  | "aws.scp"
  | "aws.rcp"
  | "azure.policy-assignment"
  | "azure.policy-exemption"
  | "gcp.org-policy"
  | "gcp.custom-constraint"
  | "gcp.deny-policy"
  | "oci.policy"
  | "oci.security-zone";

export interface ForeignPolicy {
  kind: ForeignPolicyKind;
  /** The cloud's id (policy id, ARM id, resource name, OCID). */
  externalId: string;
  /** The name people know it by (SCP name, assignment display name, constraint, policy name). */
  name: string;
  /** Node external ids where it applies (AWS targets; the scope/attachment point elsewhere). */
  attachments: string[];
  body: unknown;
  /** Size as the cloud counts it against its limit (AWS: characters of the document as sent). */
  size: number;
  /** Who manages it, when the cloud says so: `aws` (AWS managed), `control-tower`, `lza`, `builtin`. */
  managedBy?: string;
}

/** What a scan reads: the recorded hierarchy's nodes (clouds that read per scope need them). */
export interface PostureScanRequest {
  nodes: ReadonlyArray<{ externalId: string; kind: string }>;
}

export interface PostureInventory {
  cloud: CloudId;
  policies: ForeignPolicy[];
  /** Reads that failed: the scan is partial there, never guessed. */
  unreadable: Array<{ what: string; reason: string }>;
}

/**
 * A foreign policy's body as the cloud holds it now, hashed the way the posture scan hashes what it proved
 * (`contentHash` of `ForeignPolicy.body`): adoption compares the two right before it detaches anything.
 */
export interface ForeignPolicyRead {
  externalId: string;
  name: string;
  /** `contentHash(body)`, the body as a scan would store it. */
  contentHash: string;
  /** Where it is attached now (node external ids). */
  attachments: string[];
  /** Managed by the cloud itself (AWS FullAWSAccess): never adoptable. */
  awsManaged?: boolean;
}

/**
 * The one exception to "never touch what Parapet does not own" (issue 19, adoption; docs/THREAT-MODEL.md
 * §5): after two people approved replacing a specific foreign policy, with the exact body hash that was
 * proven, Parapet detaches it from the approved targets — only after its own artifact is attached and
 * verified there — and, on failure, attaches it back. It never edits, tags or deletes the foreign policy.
 */
export interface ForeignAdoption {
  /** Reads the policy's current body hash and attachments (null when it no longer exists). */
  read(kind: string, externalId: string): Promise<ForeignPolicyRead | null>;
  /**
   * Detaches it from one target. Refuses (ProviderError `conflict`, code FOREIGN_CHANGED) when its body
   * hash is not `expectedHash`, and (`invalid`, LAST_POLICY_ON_TARGET) when it is the target's last policy
   * of its type, which the cloud itself refuses. `noop` when it was not attached there.
   */
  detach(req: { kind: string; externalId: string; target: string; expectedHash: string }): Promise<{ noop?: boolean }>;
  /** Attaches it back to one target (rollback); `noop` when it already is. */
  reattach(req: { kind: string; externalId: string; target: string }): Promise<{ noop?: boolean }>;
}

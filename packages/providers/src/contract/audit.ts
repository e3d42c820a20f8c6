/**
 * Audit logs as the providers read them: one cloud's audit-log entry (CloudTrail, Azure Activity Log,
 * GCP Cloud Audit Logs, OCI Audit) normalised so core's impact evaluators can ask "would this guardrail
 * have denied it?". Events are never stored in bulk: impact keeps aggregates and a few samples.
 *
 * What a log does not carry stays absent here (a missing context key means "not logged", not "empty"),
 * so an evaluator can say it cannot judge an event instead of guessing.
 */
import type { CloudId } from "./types.ts";

export interface AuditPrincipal {
  /**
   * Who made the call, in the form the cloud's policies match: AWS the principal ARN (for an
   * assumed-role session the role ARN, `arn:aws:iam::111122223333:role/name`, as `aws:PrincipalArn`
   * sees it); Azure the caller's object id; GCP the principal identifier
   * (`serviceAccount:x@p.iam.gserviceaccount.com`, `user:a@b.com`); OCI the principal OCID.
   */
  id: string;
  /** user | role | root | service-account | app | instance | resource | service | unknown */
  type: string;
  /** How people recognise it (user name, UPN, e-mail, session name). */
  name?: string;
  /** AWS account id of the principal; Azure tenant; GCP project of a service account; OCI tenancy. */
  account?: string;
  /** Groups, when the log names them (OCI group OCIDs, Azure `groups` claim). */
  groups?: string[];
  /** Tags / labels, when the log carries them (AWS session tags). */
  tags?: Record<string, string>;
}

export interface AuditEvent {
  cloud: CloudId;
  /** The cloud's own id for the entry (CloudTrail eventID, Activity Log eventDataId, insertId, OCI eventId). */
  id: string;
  /** ISO-8601 time of the call. */
  time: string;
  principal: AuditPrincipal;
  /**
   * The action in the terms the cloud's policies use: AWS `s3:DeleteObject` (event source prefix +
   * event name); Azure the operation `Microsoft.Storage/storageAccounts/delete`; GCP the IAM permission
   * (`storage.buckets.delete`) or, when the entry names none, the method name; OCI the operation the
   * event names (readers map it to `request.permission` / `request.operation` in `context`).
   */
  action: string;
  /** What was acted on: ARN, ARM resource id, GCP full resource name, OCID. Empty when the log names none. */
  resource: string;
  /**
   * The environment it happened in, as `Node.externalId` spells it: AWS account id, Azure
   * subscription id, GCP `projects/<number>` (or the project id when only that is logged), OCI
   * compartment OCID.
   */
  nodeExternalId?: string;
  region?: string;
  /** True for reads (CloudTrail `readOnly`, GCP ADMIN_READ / DATA_READ), when the log says. */
  readOnly?: boolean;
  /** Control plane (management events, Admin Activity) or data plane (S3 object calls, Data Access). */
  plane: "management" | "data";
  /**
   * What the cloud did with the call: `denied` for an authorization refusal (AccessDenied,
   * RequestDisallowedByPolicy, PERMISSION_DENIED, 403/401 NotAuthorized…), `failed` for any other error.
   */
  outcome: "success" | "denied" | "failed";
  /**
   * Request context the entry carries, keyed by the cloud's condition-key names (AWS
   * `aws:RequestedRegion`, `aws:TagKeys`, `aws:SourceIp`; OCI `request.permission`,
   * `target.compartment.id`; …). Absent key = not logged.
   */
  context: Record<string, string | string[]>;
  /** The request body or resource as logged (Azure `requestbody`, GCP `request`), when the log has it. */
  request?: Record<string, unknown>;
}

export interface AuditReadRequest {
  since: Date;
  until: Date;
  /**
   * Narrow to these environments where the API can filter; a reader may return more and core
   * filters again, but it must never return less.
   */
  nodeExternalIds?: readonly string[];
  /** Continues a previous page (opaque, from `AuditPage.nextPageToken`). */
  pageToken?: string;
  /** Upper bound on the events of one page (memory stays bounded however long the window). */
  pageSize?: number;
}

export interface AuditPage {
  events: AuditEvent[];
  nextPageToken?: string;
  /** Entries read but not normalisable, counted by reason (never silently dropped). */
  skipped?: Record<string, number>;
}

/**
 * Facts about a principal that the log does not carry but a guardrail may test (AWS principal tags,
 * OCI group memberships, GCP group membership). `found: false` when the cloud says it does not exist.
 */
export interface PrincipalFacts {
  id: string;
  found: boolean;
  tags?: Record<string, string>;
  groups?: string[];
  /**
   * Names of `groups`, where policies name groups by name while conditions test their ids (OCI:
   * `deny group NonProd …` beside `request.groups.id`). Same order as `groups`.
   */
  groupNames?: string[];
}

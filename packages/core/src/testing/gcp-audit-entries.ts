/**
 * Renders catalog scenarios as the Cloud Audit Logs LogEntry the call would have produced (REST JSON,
 * google/logging/v2/log_entry.proto with a google/cloud/audit/audit_log.proto payload), for tests
 * that replay them through the provider's parser and the GCP impact evaluator.
 */
import type { AuditEvent } from "@parapet/providers/contract";
import { gcpAuditRecord } from "@parapet/providers/gcp/audit-records";
import {
  GCP_SCENARIO_CALLER_IP,
  GCP_SCENARIO_PROJECT,
  gcpLogKind,
  gcpServiceOf,
  type TGcpActor,
  type TGcpRequest,
} from "../impact/gcp-scenario.ts";

export function gcpScenarioLogEntry(s: TGcpRequest, actor: TGcpActor, n: number): Record<string, unknown> {
  const service = gcpServiceOf(s.permission);
  const resourceName = s.resource.replace(/^\/\/[^/]+\//, "");
  const { log, permissionType } = gcpLogKind(s.permission);
  return {
    protoPayload: {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      status: {},
      authenticationInfo: { principalEmail: actor.email, principalSubject: actor.subject },
      requestMetadata: { callerIp: GCP_SCENARIO_CALLER_IP, callerSuppliedUserAgent: "google-cloud-sdk gcloud/550.0.0" },
      serviceName: service,
      methodName: s.permission,
      authorizationInfo: [{ resource: resourceName, permission: s.permission, granted: true, resourceAttributes: {}, permissionType }],
      resourceName,
      ...(s.location ? { resourceLocation: { currentLocations: [s.location] } } : {}),
      ...(s.request ? { request: s.request } : {}),
    },
    insertId: `scenario-${n}`,
    resource: { type: "audited_resource", labels: { project_id: GCP_SCENARIO_PROJECT, service, method: s.permission } },
    timestamp: "2026-12-01T10:00:00Z",
    severity: "NOTICE",
    logName: `projects/${GCP_SCENARIO_PROJECT}/logs/cloudaudit.googleapis.com%2F${log}`,
    receiveTimestamp: "2026-12-01T10:00:01Z",
  };
}

/** Parses a rendered entry with the provider's parser; an entry it refuses is a bug in the renderer. */
export function gcpEventOf(entry: Record<string, unknown>): AuditEvent {
  const r = gcpAuditRecord(entry);
  if (!("event" in r)) throw new Error(`audit entry not readable: ${r.skip} (${r.detail})`);
  return r.event;
}

import type { TOciScenarioPrincipal } from "../impact/oci-scenarios.ts";
import { OCI_SCENARIO_TENANCY } from "../impact/oci-scenarios.ts";

/**
 * An OCI API call rendered as the OCI Audit service records it (oci-audit 2.139.1 `AuditEvent` model;
 * "Contents of an Audit Log Event", https://docs.oracle.com/iaas/Content/Audit/Reference/logeventreference.htm):
 * the CloudEvents 0.1 envelope, `data.eventName` the operation, `data.identity` the principal, the
 * request headers with the endpoint URL (`oci-original-url`) and the `opc-principal` claims, the
 * response status, and the resulting resource in `stateChange.current`. Only what Audit records is
 * rendered: request variables such as the tag namespaces a call set are not.
 */
export interface TOciAuditCall {
  operation: string;
  principal: TOciScenarioPrincipal;
  compartmentId: string;
  /** Region identifier, e.g. `eu-frankfurt-1`. */
  region: string;
  /** The resulting resource's properties, as `stateChange.current` logs them. */
  resource?: Record<string, unknown>;
  status?: number;
  seq?: number;
}

const SERVICE_HOST: Record<string, string> = {
  Bucket: "objectstorage",
  Object: "objectstorage",
  Secret: "secrets.vaults",
  Key: "kms",
  Vault: "kms",
  Encrypt: "kms",
  Decrypt: "kms",
  Log: "logging",
  UnifiedAgent: "logging",
  Target: "cloudguard-cp-api",
  Configuration: "cloudguard-cp-api",
  Policy: "identity",
  Policies: "identity",
};

function hostFor(operation: string, region: string): string {
  const service = Object.entries(SERVICE_HOST).find(([k]) => operation.includes(k))?.[1] ?? "iaas";
  return `${service}.${region}.oraclecloud.com`;
}

export function ociAuditRecord(call: TOciAuditCall): Record<string, unknown> {
  const p = call.principal;
  const seq = call.seq ?? 1;
  const status = call.status ?? (call.operation.startsWith("Delete") ? 204 : 200);
  const requestId = `opc-${seq.toString(16).padStart(8, "0")}`;
  const method = /^(Get|List)/.test(call.operation)
    ? "GET"
    : /^(Delete|Terminate)/.test(call.operation)
      ? "DELETE"
      : call.operation.startsWith("Update")
        ? "PUT"
        : "POST";
  return {
    eventType: `com.oraclecloud.${hostFor(call.operation, call.region).split(".")[0]}.${call.operation.toLowerCase()}`,
    cloudEventsVersion: "0.1",
    eventTypeVersion: "2.0",
    source: hostFor(call.operation, call.region).split(".")[0],
    eventId: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, "0")}`,
    eventTime: new Date(Date.UTC(2026, 11, 1, 10, 0, seq % 60)).toISOString(),
    contentType: "application/json",
    data: {
      eventGroupingId: requestId,
      eventName: call.operation,
      compartmentId: call.compartmentId,
      compartmentName: "prod",
      resourceName: "resource",
      resourceId: `ocid1.resource.oc1.${call.region}.r${seq}`,
      availabilityDomain: "AD1",
      freeformTags: null,
      definedTags: null,
      identity: {
        principalName: p.name,
        principalId: p.id,
        authType: "natv",
        callerName: null,
        callerId: null,
        tenantId: OCI_SCENARIO_TENANCY,
        ipAddress: "10.0.0.5",
        credentials: p.type === "user" ? `${OCI_SCENARIO_TENANCY}/${p.id}/aa:bb:cc` : null,
        userAgent: "Oracle-TypeScriptSDK/2.139.1",
        consoleSessionId: null,
      },
      request: {
        id: requestId,
        path: `/20160918/${call.operation}`,
        action: method,
        parameters: {},
        headers: {
          "opc-principal": [
            JSON.stringify({
              tenantId: OCI_SCENARIO_TENANCY,
              subjectId: p.id,
              claims: [{ key: "ptype", value: p.type, issuer: "authService.oracle.com" }],
            }),
          ],
          "oci-original-url": [`https://${hostFor(call.operation, call.region)}/20160918/${call.operation}`],
          "opc-request-id": [requestId],
        },
      },
      response: {
        status: String(status),
        responseTime: new Date(Date.UTC(2026, 11, 1, 10, 0, seq % 60, 120)).toISOString(),
        headers: {},
        payload: {},
        message: status >= 400 ? "NotAuthorizedOrNotFound" : `${call.operation} succeeded`,
      },
      stateChange: { previous: null, current: call.resource ?? null },
      additionalDetails: {},
    },
  };
}

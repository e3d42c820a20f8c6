/**
 * A catalog `gcp-request` scenario as the event Cloud Audit Logs would have given for the call, and the
 * principal's memberships as `lookupPrincipals` would answer them. The scenario runner judges it with the
 * impact evaluator, so the proof shown for a guardrail and its impact replay share one evaluator.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import type { TCompileContext, TScenario, TScenarioActor } from "../catalog/types.ts";
import { GCP_RESOURCE_TAGS_KEY } from "./gcp.ts";

export type TGcpRequest = Extract<TScenario<unknown>, { kind: "gcp-request" }>;
type TCtx = TCompileContext<"gcp">;

/** The production project the scenarios act in (`resource.labels.project_id`). */
export const GCP_SCENARIO_PROJECT = "prod-app";
export const GCP_SCENARIO_CALLER_IP = "203.0.113.10";

export interface TGcpActor {
  /** As the entry's authenticationInfo.principalSubject names it. */
  subject: string;
  email: string;
  facts: PrincipalFacts;
}

function saActor(email: string, groups: string[]): TGcpActor {
  const id = `serviceAccount:${email}`;
  return { subject: id, email, facts: { id, found: true, groups } };
}
function userActor(email: string, groups: string[]): TGcpActor {
  const id = `user:${email}`;
  return { subject: id, email, facts: { id, found: true, groups } };
}

/**
 * A concrete caller of a principal class: the service account or user a class identifier names, or
 * a member of the set it names (agents and MCP servers are service accounts of the prod project).
 */
function member(ids: readonly string[], fallback: string, inOrg: string[], kind: "sa" | "user"): TGcpActor | undefined {
  const id = ids[0];
  if (!id) return undefined;
  const sa = /^principal:\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/(.+)$/.exec(id);
  if (sa) return saActor(sa[1]!, inOrg);
  const subject = /^principal:\/\/goog\/subject\/(.+)$/.exec(id);
  if (subject) return userActor(subject[1]!, inOrg);
  return kind === "sa"
    ? saActor(`${fallback}@${GCP_SCENARIO_PROJECT}.iam.gserviceaccount.com`, [id, ...inOrg])
    : userActor(`${fallback}@example.com`, [id, ...inOrg]);
}

/** The caller a scenario actor stands for on this connection; undefined when the connection has no such class. */
export function gcpScenarioActor(actor: TScenarioActor, ctx: TCtx): TGcpActor | undefined {
  const p = ctx.principals;
  const customer = `principalSet://goog/cloudIdentityCustomerId/${ctx.facts.directoryCustomerId}`;
  const orgSas = `principalSet://cloudresourcemanager.googleapis.com/organizations/${ctx.facts.organizationId}/type/ServiceAccount`;
  const saOfOrg = (email: string): TGcpActor => saActor(email, [orgSas]);
  switch (actor) {
    case "agent":
      return member(p.agents, "agent-runner", [orgSas], "sa");
    case "mcp-server":
      return member(p.mcpServers, "mcp-server", [orgSas], "sa");
    case "non-prod":
      return member(p.nonProd, "nonprod-app", [orgSas], "sa");
    case "connector": {
      const c = member(p.connector, "parapet-connector", [orgSas], "sa");
      return c ?? saOfOrg(`parapet-connector@${GCP_SCENARIO_PROJECT}.iam.gserviceaccount.com`);
    }
    case "break-glass":
      return member(p.breakGlass, "break-glass", [customer], "user");
    case "human":
      return userActor("developer@example.com", [customer]);
    case "admin":
      return userActor("cloud-admin@example.com", [customer]);
    case "root":
      // GCP projects have no root user (deny-root-user is unsupported on GCP).
      return undefined;
    case "external":
      return userActor("outsider@other.example", []);
    case "external-connector": {
      const local = (member(p.connector, "parapet-connector", [], "sa")?.email ?? "parapet-connector@x").split("@")[0]!;
      return saActor(`${local}@outside-project.iam.gserviceaccount.com`, []);
    }
    case "external-break-glass":
      return userActor("break-glass@other.example", []);
  }
}

/** Cloud Audit Logs writes data reads and object writes to data_access, configuration changes to activity. */
export function gcpLogKind(permission: string): { log: "activity" | "data_access"; permissionType: string } {
  const [, resource, verb] = permission.split(".");
  if (/^(get|list|access|getData|useToDecrypt|useToEncrypt)$/.test(verb ?? "")) {
    return {
      log: "data_access",
      permissionType: /^(objects|versions|tables|cryptoKeyVersions|cryptoKeys)$/.test(resource ?? "") ? "DATA_READ" : "ADMIN_READ",
    };
  }
  if (resource === "objects") return { log: "data_access", permissionType: "DATA_WRITE" };
  return { log: "activity", permissionType: "ADMIN_WRITE" };
}

const V1_PREFIX_FQDN: Record<string, string> = { resourcemanager: "cloudresourcemanager.googleapis.com" };
/** The API that checks a v1 permission, as `protoPayload.serviceName` names it. */
export const gcpServiceOf = (permission: string): string => {
  const prefix = permission.split(".")[0]!;
  return V1_PREFIX_FQDN[prefix] ?? `${prefix}.googleapis.com`;
};

/**
 * The scenario's event as the evaluator sees it when everything is known: the parsed entry plus the
 * resource's tags (which Cloud Audit Logs never records), and the caller's memberships.
 */
export function gcpScenarioEvent(s: TGcpRequest, ctx: TCtx, n = 0): { event: AuditEvent; facts: Map<string, PrincipalFacts> } | undefined {
  const actor = gcpScenarioActor(s.actor, ctx);
  if (!actor) return undefined;
  const { permissionType } = gcpLogKind(s.permission);
  const sa = /^serviceAccount:.+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(actor.subject)?.[1];
  const service = gcpServiceOf(s.permission);
  // The same event the provider's parser reads from the entry Cloud Audit Logs would write
  // (testing/gcp-audit-entries.ts renders that entry; the catalog replay test checks the two agree).
  const event: AuditEvent = {
    cloud: "gcp",
    id: `scenario-${n}`,
    time: "2026-12-01T10:00:00Z",
    principal: {
      id: actor.subject,
      type: actor.subject.startsWith("serviceAccount:") ? "service-account" : "user",
      name: actor.email,
      ...(sa ? { account: sa } : {}),
    },
    action: s.permission,
    resource: s.resource,
    nodeExternalId: `projects/${GCP_SCENARIO_PROJECT}`,
    ...(s.location ? { region: s.location } : {}),
    readOnly: permissionType.endsWith("_READ"),
    plane: permissionType.startsWith("DATA_") ? "data" : "management",
    outcome: "success",
    context: {
      "protoPayload.serviceName": service,
      "protoPayload.methodName": s.permission,
      "protoPayload.authorizationInfo.permission": [s.permission],
      ...(s.location ? { "protoPayload.resourceLocation.currentLocations": [s.location] } : {}),
      "protoPayload.requestMetadata.callerIp": GCP_SCENARIO_CALLER_IP,
      "resource.labels.project_id": GCP_SCENARIO_PROJECT,
    },
    ...(s.request ? { request: s.request } : {}),
  };
  if (s.resourceTags) {
    event.context[GCP_RESOURCE_TAGS_KEY] = Object.entries(s.resourceTags).map(([k, v]) => `${ctx.facts.organizationId}/${k}/${v}`);
  }
  return { event, facts: new Map([[actor.facts.id, actor.facts]]) };
}

import { z } from "zod";
import { ZApproval, ZApprovalPage, ZApprovalRequested, ZApprovalsQuery, ZNoteInput, ZRejectInput } from "../approvals/approvals.schema.ts";
import { ZActivity, ZActivityQuery, ZAuditCheckpointState, ZAuditExportQuery, ZAuditPage, ZAuditQuery, ZChainVerification } from "../audit/audit-query.schema.ts";
import { stored, ZQueuedJob, ZQueuedReconcile } from "../common/wire.schema.ts";
import {
  ZBootstrap,
  ZBootstrapQuery,
  ZConnection,
  ZConnectionDeleted,
  ZConnectionList,
  ZConnectionUpdate,
  ZConnectionWithVerifyJob,
  ZCreateConnectionInput,
  ZDeleteConnectionQuery,
  ZEventSecret,
  ZPreviewRun,
  ZRotateCredentialsInput,
  ZUpdateConnectionInput,
} from "../connections/connections.schema.ts";
import { ZCoverageMatrix, ZCoverageOverview, ZMatrixQuery } from "../coverage/coverage.schema.ts";
import { ZDriftDetail, ZDriftPage, ZDriftTimeline, ZDriftTimelineQuery, ZListDriftQuery } from "../drift/drift.schema.ts";
import { ZCreateExemptionInput, ZExemption, ZExemptionList, ZExemptionRequested, ZListExemptionsQuery } from "../exemptions/exemptions.schema.ts";
import {
  ZCatalogControlDetail,
  ZCatalogList,
  ZCompileInput,
  ZCompileResult,
  ZCreateGuardrailInput,
  ZDiffQuery,
  ZGuardrailDetail,
  ZGuardrailDiff,
  ZGuardrailList,
  ZGuardrailResult,
  ZGuardrailSummary,
  ZGuardrailUpdate,
  ZListGuardrailsQuery,
  ZScopePreviewInput,
  ZUpdateGuardrailInput,
} from "../guardrails/guardrails.schema.ts";
import type { Action, Resource } from "../identity/roles.ts";
import {
  ZAcceptInvitationInput,
  ZChangeRoleInput,
  ZInvitationAccepted,
  ZInvitationCreated,
  ZInvitationLookup,
  ZInvitationLookupQuery,
  ZInvitationWithdrawn,
  ZInviteInput,
  ZMe,
  ZMember,
  ZMemberList,
  ZMemberRemoved,
  ZSwitchWorkspaceInput,
} from "../members/members.schema.ts";
import { ZListNodesQuery, ZNodeCoverage, ZNodePage, ZScopePreview, ZSetLabelsInput, ZSetLabelsResult } from "../nodes/nodes.schema.ts";
import { ZCreateSubscriptionInput, ZReportCsvQuery, ZReportList, ZReportPreview, ZReportPreviewQuery, ZReportSnapshot, ZSendNow, ZSendNowInput, ZSubscription, ZSubscriptionList, ZUpdateSubscriptionInput } from "../reports/reports.schema.ts";
import { ZReportSchedule, ZSettings, ZUpdateSettingsInput } from "../settings/settings.schema.ts";
import { ZApiTokenList, ZCreateTokenInput, ZIssuedToken, ZTokenRevoked } from "../tokens/tokens.schema.ts";

/** The document's own top level (its paths are generated from this table). */
const ZOpenApiDocument = stored(z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.record(z.string(), z.unknown())) }));

type Permission = { [R in Resource]: [R, Action<R>] }[Resource];

/**
 * One /api/v1 route: the single definition its handler (apps/web `route(api("GET /x"), …)`), the
 * OpenAPI document, the browser's typed client and the integration suite's route walk are all built from.
 * A route missing here has no handler wrapper to use, no document entry and fails the route walk.
 */
export interface ApiRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI path template, e.g. /guardrails/{id}. */
  path: string;
  summary: string;
  tag: string;
  /** null: any signed-in member. */
  permission: Permission | null;
  /** Served without authentication (the document itself, the invitation link's holder). */
  public?: boolean;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The JSON body of a success, exactly (after JSON: ISO date strings). The wrapper checks the handler's
   * value against it at compile time (its input type) and at run time (a body it rejects is not sent: a
   * 500), and sends what it parsed (its output), so no field the contract does not name leaves the server.
   */
  response?: z.ZodType;
  /** Success status (a handler may answer 202 instead, when the route documents an approval outcome). */
  status: 200 | 201 | 202 | 204;
  /** Not JSON (or not only): a streamed file or a document the handler builds itself. */
  produces?: "text/csv+jsonl" | "text/html";
}

export const API = {
  "GET /me": { method: "GET", path: "/me", summary: "The caller, their workspace, role and permissions", tag: "identity", permission: null, response: ZMe, status: 200 },
  "POST /me/workspace": { method: "POST", path: "/me/workspace", summary: "Switch the signed-in session to another workspace the user belongs to", tag: "identity", permission: null, body: ZSwitchWorkspaceInput, response: ZMe, status: 200 },
  "GET /openapi.json": { method: "GET", path: "/openapi.json", summary: "This document", tag: "meta", permission: null, public: true, response: ZOpenApiDocument, status: 200 },

  "GET /catalog/controls": { method: "GET", path: "/catalog/controls", summary: "The control catalog", tag: "catalog", permission: ["guardrail", "read"], response: ZCatalogList, status: 200 },
  "GET /catalog/controls/{id}": { method: "GET", path: "/catalog/controls/{id}", summary: "One control with its scenarios", tag: "catalog", permission: ["guardrail", "read"], response: ZCatalogControlDetail, status: 200 },
  "POST /catalog/controls/{id}/compile": { method: "POST", path: "/catalog/controls/{id}/compile", summary: "Compile a control per cloud (nothing is saved)", tag: "catalog", permission: ["guardrail", "read"], body: ZCompileInput, response: ZCompileResult, status: 200 },

  "GET /connections": { method: "GET", path: "/connections", summary: "Connected cloud roots", tag: "connections", permission: ["connection", "read"], response: ZConnectionList, status: 200 },
  "POST /connections": { method: "POST", path: "/connections", summary: "Connect a cloud root (credentials sealed; verification queued)", tag: "connections", permission: ["connection", "write"], body: ZCreateConnectionInput, response: ZConnectionWithVerifyJob, status: 201 },
  "GET /connections/bootstrap": { method: "GET", path: "/connections/bootstrap", summary: "Least-privilege setup to run in the cloud before connecting", tag: "connections", permission: ["connection", "read"], query: ZBootstrapQuery, response: ZBootstrap, status: 200 },
  "GET /connections/{id}": { method: "GET", path: "/connections/{id}", summary: "One connection", tag: "connections", permission: ["connection", "read"], response: ZConnection, status: 200 },
  "PATCH /connections/{id}": { method: "PATCH", path: "/connections/{id}", summary: "Rename, principal classes, limits, polling, wizard progress; a principal change that weakens protection answers 202 with an approval", tag: "connections", permission: ["connection", "write"], body: ZUpdateConnectionInput, response: ZConnectionUpdate, status: 200 },
  "DELETE /connections/{id}": { method: "DELETE", path: "/connections/{id}", summary: "Stop managing a connection (the cloud is not touched); ?confirm=<name>", tag: "connections", permission: ["connection", "write"], query: ZDeleteConnectionQuery, response: ZConnectionDeleted, status: 200 },
  "POST /connections/{id}/verify": { method: "POST", path: "/connections/{id}/verify", summary: "Queue a permission check", tag: "connections", permission: ["connection", "write"], response: ZQueuedJob, status: 202 },
  "POST /connections/{id}/discover": { method: "POST", path: "/connections/{id}/discover", summary: "Queue hierarchy discovery", tag: "connections", permission: ["connection", "write"], response: ZQueuedJob, status: 202 },
  "GET /connections/{id}/preview": { method: "GET", path: "/connections/{id}/preview", summary: "The latest plan preview", tag: "connections", permission: ["connection", "read"], response: ZPreviewRun, status: 200 },
  "POST /connections/{id}/preview": { method: "POST", path: "/connections/{id}/preview", summary: "Queue a plan preview", tag: "connections", permission: ["guardrail", "write"], response: ZQueuedJob, status: 202 },
  "POST /connections/{id}/reconcile": { method: "POST", path: "/connections/{id}/reconcile", summary: "Queue a reconcile now", tag: "connections", permission: ["drift", "remediate"], response: ZQueuedReconcile, status: 202 },
  "POST /connections/{id}/rotate-credentials": { method: "POST", path: "/connections/{id}/rotate-credentials", summary: "Replace the credentials (re-verified)", tag: "connections", permission: ["connection", "write"], body: ZRotateCredentialsInput, response: ZConnectionWithVerifyJob, status: 200 },
  "POST /connections/{id}/event-secret": { method: "POST", path: "/connections/{id}/event-secret", summary: "Issue the webhook HMAC secret (shown once)", tag: "connections", permission: ["connection", "write"], response: ZEventSecret, status: 200 },
  "GET /connections/{id}/nodes": { method: "GET", path: "/connections/{id}/nodes", summary: "Hierarchy nodes (children of parentId, or search)", tag: "nodes", permission: ["node", "read"], query: ZListNodesQuery, response: ZNodePage, status: 200 },

  "GET /nodes/{id}/coverage": { method: "GET", path: "/nodes/{id}/coverage", summary: "Guardrails that apply to a node: where each is attached and its status", tag: "nodes", permission: ["node", "read"], response: ZNodeCoverage, status: 200 },
  "PATCH /nodes/{id}/labels": { method: "PATCH", path: "/nodes/{id}/labels", summary: "Replace a node's label overrides; one that takes environments out of a guardrail's scope answers 202 with an approval", tag: "nodes", permission: ["node", "write"], body: ZSetLabelsInput, response: ZSetLabelsResult, status: 200 },
  "POST /scope/preview": { method: "POST", path: "/scope/preview", summary: "Environments a scope selects", tag: "nodes", permission: ["guardrail", "read"], body: ZScopePreviewInput, response: ZScopePreview, status: 200 },

  "GET /guardrails": { method: "GET", path: "/guardrails", summary: "Guardrails with coverage", tag: "guardrails", permission: ["guardrail", "read"], query: ZListGuardrailsQuery, response: ZGuardrailList, status: 200 },
  "POST /guardrails": { method: "POST", path: "/guardrails", summary: "Create a guardrail from a control", tag: "guardrails", permission: ["guardrail", "write"], body: ZCreateGuardrailInput, response: ZGuardrailSummary, status: 201 },
  "GET /guardrails/{id}": { method: "GET", path: "/guardrails/{id}", summary: "One guardrail with its versions", tag: "guardrails", permission: ["guardrail", "read"], response: ZGuardrailDetail, status: 200 },
  "PATCH /guardrails/{id}": { method: "PATCH", path: "/guardrails/{id}", summary: "Edit (new version); weakening edits answer 202 with an approval", tag: "guardrails", permission: ["guardrail", "write"], body: ZUpdateGuardrailInput, response: ZGuardrailUpdate, status: 200 },
  "DELETE /guardrails/{id}": { method: "DELETE", path: "/guardrails/{id}", summary: "Request deletion (approval)", tag: "guardrails", permission: ["guardrail", "write"], response: ZApprovalRequested, status: 202 },
  "POST /guardrails/{id}/disable": { method: "POST", path: "/guardrails/{id}/disable", summary: "Request disabling (approval)", tag: "guardrails", permission: ["guardrail", "write"], response: ZApprovalRequested, status: 202 },
  "POST /guardrails/{id}/enable": { method: "POST", path: "/guardrails/{id}/enable", summary: "Enable (applies at once)", tag: "guardrails", permission: ["guardrail", "write"], response: ZGuardrailResult, status: 200 },
  "GET /guardrails/{id}/diff": { method: "GET", path: "/guardrails/{id}/diff", summary: "Field differences between two versions", tag: "guardrails", permission: ["guardrail", "read"], query: ZDiffQuery, response: ZGuardrailDiff, status: 200 },

  "GET /exemptions": { method: "GET", path: "/exemptions", summary: "Exemptions", tag: "exemptions", permission: ["exemption", "read"], query: ZListExemptionsQuery, response: ZExemptionList, status: 200 },
  "POST /exemptions": { method: "POST", path: "/exemptions", summary: "Request an exemption (approval)", tag: "exemptions", permission: ["exemption", "request"], body: ZCreateExemptionInput, response: ZExemptionRequested, status: 202 },
  "POST /exemptions/{id}/revoke": { method: "POST", path: "/exemptions/{id}/revoke", summary: "Revoke an exemption (applies at once)", tag: "exemptions", permission: ["exemption", "request"], response: ZExemption, status: 200 },

  "GET /approvals": { method: "GET", path: "/approvals", summary: "Approval requests", tag: "approvals", permission: ["approval", "read"], query: ZApprovalsQuery, response: ZApprovalPage, status: 200 },
  "GET /approvals/{id}": { method: "GET", path: "/approvals/{id}", summary: "One approval request", tag: "approvals", permission: ["approval", "read"], response: ZApproval, status: 200 },
  "POST /approvals/{id}/approve": { method: "POST", path: "/approvals/{id}/approve", summary: "Approve (never your own); the change applies", tag: "approvals", permission: ["approval", "decide"], body: ZNoteInput, response: ZApproval, status: 200 },
  "POST /approvals/{id}/reject": { method: "POST", path: "/approvals/{id}/reject", summary: "Reject with a note", tag: "approvals", permission: ["approval", "decide"], body: ZRejectInput, response: ZApproval, status: 200 },

  "GET /drift": { method: "GET", path: "/drift", summary: "Drift findings", tag: "drift", permission: ["drift", "read"], query: ZListDriftQuery, response: ZDriftPage, status: 200 },
  "GET /drift/timeline": { method: "GET", path: "/drift/timeline", summary: "Drift opened/resolved per day", tag: "drift", permission: ["drift", "read"], query: ZDriftTimelineQuery, response: ZDriftTimeline, status: 200 },
  "GET /drift/{id}": { method: "GET", path: "/drift/{id}", summary: "One finding with expected, observed and timeline", tag: "drift", permission: ["drift", "read"], response: ZDriftDetail, status: 200 },
  "POST /drift/{id}/reapply": { method: "POST", path: "/drift/{id}/reapply", summary: "Reconcile the finding's connection now", tag: "drift", permission: ["drift", "remediate"], response: ZQueuedReconcile, status: 202 },

  "GET /coverage/overview": { method: "GET", path: "/coverage/overview", summary: "Coverage score and totals", tag: "coverage", permission: ["guardrail", "read"], response: ZCoverageOverview, status: 200 },
  "GET /coverage/matrix": { method: "GET", path: "/coverage/matrix", summary: "Environments × guardrails, paged by environment", tag: "coverage", permission: ["guardrail", "read"], query: ZMatrixQuery, response: ZCoverageMatrix, status: 200 },

  "GET /audit": { method: "GET", path: "/audit", summary: "Audit events, newest first", tag: "audit", permission: ["audit", "read"], query: ZAuditQuery, response: ZAuditPage, status: 200 },
  "GET /audit/export": { method: "GET", path: "/audit/export", summary: "Audit events as CSV or JSON lines (streamed)", tag: "audit", permission: ["audit", "export"], query: ZAuditExportQuery, status: 200, produces: "text/csv+jsonl" },
  "GET /audit/verify": { method: "GET", path: "/audit/verify", summary: "Verify the keyed hash chain against the latest checkpoint", tag: "audit", permission: ["audit", "read"], response: ZChainVerification, status: 200 },
  "GET /audit/checkpoint": { method: "GET", path: "/audit/checkpoint", summary: "The latest signed chain head kept outside the database", tag: "audit", permission: ["audit", "read"], response: ZAuditCheckpointState, status: 200 },
  "POST /audit/checkpoint": { method: "POST", path: "/audit/checkpoint", summary: "Checkpoint the chain head now", tag: "audit", permission: ["audit", "export"], response: ZAuditCheckpointState, status: 200 },
  "GET /activity": { method: "GET", path: "/activity", summary: "Recent audit events", tag: "audit", permission: ["audit", "read"], query: ZActivityQuery, response: ZActivity, status: 200 },

  "GET /members": { method: "GET", path: "/members", summary: "Members, and pending invitations for those who manage members (admins, owners)", tag: "members", permission: ["settings", "read"], response: ZMemberList, status: 200 },
  "POST /invitations": { method: "POST", path: "/invitations", summary: "Invite a member (the answer carries the inviter's copy of the link, once; the invitee gets their own by e-mail; 20 an hour per inviter)", tag: "members", permission: ["settings", "write"], body: ZInviteInput, response: ZInvitationCreated, status: 201 },
  "DELETE /invitations/{id}": { method: "DELETE", path: "/invitations/{id}", summary: "Withdraw a pending invitation (its link stops working)", tag: "members", permission: ["settings", "write"], response: ZInvitationWithdrawn, status: 200 },
  "GET /invitations/lookup": { method: "GET", path: "/invitations/lookup", summary: "What an invitation link offers (public: the signed token is the credential)", tag: "members", permission: null, public: true, query: ZInvitationLookupQuery, response: ZInvitationLookup, status: 200 },
  "POST /invitations/accept": { method: "POST", path: "/invitations/accept", summary: "Accept an invitation: signed in as the invited address, join; not signed in, create the account (the e-mailed link only). Never checks a password (public: the signed token is the credential)", tag: "members", permission: null, public: true, body: ZAcceptInvitationInput, response: ZInvitationAccepted, status: 200 },
  "PATCH /members/{id}": { method: "PATCH", path: "/members/{id}", summary: "Change a member's role", tag: "members", permission: ["settings", "write"], body: ZChangeRoleInput, response: ZMember, status: 200 },
  "DELETE /members/{id}": { method: "DELETE", path: "/members/{id}", summary: "Remove a member (never the last owner)", tag: "members", permission: ["settings", "write"], response: ZMemberRemoved, status: 200 },

  "GET /tokens": { method: "GET", path: "/tokens", summary: "API tokens", tag: "tokens", permission: ["token", "manage"], response: ZApiTokenList, status: 200 },
  "POST /tokens": { method: "POST", path: "/tokens", summary: "Issue an API token (shown once)", tag: "tokens", permission: ["token", "manage"], body: ZCreateTokenInput, response: ZIssuedToken, status: 201 },
  "DELETE /tokens/{id}": { method: "DELETE", path: "/tokens/{id}", summary: "Revoke an API token", tag: "tokens", permission: ["token", "manage"], response: ZTokenRevoked, status: 200 },

  // Reports (issue 9): handlers in apps/web/src/app/api/v1/reports.
  "GET /reports": { method: "GET", path: "/reports", summary: "Weekly report snapshots", tag: "reports", permission: ["report", "read"], response: ZReportList, status: 200 },
  "GET /reports/{id}": { method: "GET", path: "/reports/{id}", summary: "One report snapshot's model", tag: "reports", permission: ["report", "read"], response: ZReportSnapshot, status: 200 },
  "GET /reports/{id}/html": { method: "GET", path: "/reports/{id}/html", summary: "A report rendered as HTML", tag: "reports", permission: ["report", "read"], status: 200, produces: "text/html" },
  "GET /reports/{id}/csv": { method: "GET", path: "/reports/{id}/csv", summary: "A report's tables as CSV", tag: "reports", permission: ["report", "read"], query: ZReportCsvQuery, status: 200, produces: "text/csv+jsonl" },
  "GET /reports/preview": { method: "GET", path: "/reports/preview", summary: "This week's report as it would be sent now (?format=html|text|json)", tag: "reports", permission: ["report", "read"], query: ZReportPreviewQuery, response: ZReportPreview, status: 200, produces: "text/html" },
  "POST /reports/send-now": { method: "POST", path: "/reports/send-now", summary: "Send the report now (to yourself; managers to subscribers)", tag: "reports", permission: ["report", "read"], body: ZSendNowInput, response: ZSendNow, status: 202 },
  "GET /reports/schedule": { method: "GET", path: "/reports/schedule", summary: "Weekly schedule and the next runs", tag: "reports", permission: ["report", "read"], response: ZReportSchedule, status: 200 },
  "PATCH /reports/schedule": { method: "PATCH", path: "/reports/schedule", summary: "Change the weekly schedule", tag: "reports", permission: ["settings", "write"], body: ZUpdateSettingsInput, response: ZReportSchedule, status: 200 },
  "GET /reports/subscriptions": { method: "GET", path: "/reports/subscriptions", summary: "Report subscriptions", tag: "reports", permission: ["report", "read"], response: ZSubscriptionList, status: 200 },
  "POST /reports/subscriptions": { method: "POST", path: "/reports/subscriptions", summary: "Subscribe an address to the weekly report", tag: "reports", permission: ["report", "subscribe"], body: ZCreateSubscriptionInput, response: ZSubscription, status: 201 },
  "PATCH /reports/subscriptions/{id}": { method: "PATCH", path: "/reports/subscriptions/{id}", summary: "Pause or resume a subscription", tag: "reports", permission: ["report", "subscribe"], body: ZUpdateSubscriptionInput, response: ZSubscription, status: 200 },
  "DELETE /reports/subscriptions/{id}": { method: "DELETE", path: "/reports/subscriptions/{id}", summary: "Remove a subscription", tag: "reports", permission: ["report", "subscribe"], status: 204 },

  "GET /settings": { method: "GET", path: "/settings", summary: "Workspace settings", tag: "settings", permission: ["settings", "read"], response: ZSettings, status: 200 },
  "PATCH /settings": { method: "PATCH", path: "/settings", summary: "Time zone and weekly report schedule", tag: "settings", permission: ["settings", "write"], body: ZUpdateSettingsInput, response: ZSettings, status: 200 },
} as const satisfies Record<string, ApiRoute>;

export type ApiRoutes = typeof API;
export type ApiRouteKey = keyof ApiRoutes;

/** Every route, in the table's order (the document's and the route walk's). */
export const API_ROUTES: readonly ApiRoute[] = Object.values(API);

for (const [key, r] of Object.entries(API)) {
  // The key is how handlers and the browser name a route; it must say the same as the entry.
  if (key !== `${r.method} ${r.path}`) throw new Error(`route table: key "${key}" does not match ${r.method} ${r.path}`);
}

/** The definition of one route, by its key ("GET /guardrails/{id}"), with its schemas' types. */
export function api<K extends ApiRouteKey>(key: K): ApiRoutes[K] {
  return API[key];
}

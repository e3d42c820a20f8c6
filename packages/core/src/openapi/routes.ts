import { z } from "zod";
import { ZActivityQuery, ZAuditExportQuery, ZAuditQuery } from "../audit/audit-query.schema.ts";
import { ZPageQuery } from "../common/pagination.ts";
import { ZBootstrapQuery, ZCreateConnectionInput, ZDeleteConnectionQuery, ZRotateCredentialsInput, ZUpdateConnectionInput } from "../connections/connections.schema.ts";
import { ZMatrixQuery } from "../coverage/coverage.schema.ts";
import { ZDriftTimelineQuery, ZListDriftQuery } from "../drift/drift.schema.ts";
import { ZCreateExemptionInput, ZListExemptionsQuery } from "../exemptions/exemptions.schema.ts";
import { ZCompileInput, ZCreateGuardrailInput, ZDiffQuery, ZListGuardrailsQuery, ZScopePreviewInput, ZUpdateGuardrailInput } from "../guardrails/guardrails.schema.ts";
import type { Action, Resource } from "../identity/roles.ts";
import { ZAcceptInvitationInput, ZChangeRoleInput, ZInvitationLookupQuery, ZInviteInput, ZSwitchWorkspaceInput } from "../members/members.schema.ts";
import { ZListNodesQuery, ZSetLabelsInput } from "../nodes/nodes.schema.ts";
import { ZCreateSubscriptionInput, ZUpdateSubscriptionInput } from "../reports/subscriptions.ts";
import { ZUpdateSettingsInput } from "../settings/settings.schema.ts";
import { ZCreateTokenInput } from "../tokens/tokens.schema.ts";

type Permission = { [R in Resource]: [R, Action<R>] }[Resource];

/**
 * Every /api/v1 route: the OpenAPI document is generated from this table, and the integration suite
 * walks it (401 / 403 / 404 / 422 for each route), so a route missing here is a failing test.
 */
export interface ApiRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI path template, e.g. /guardrails/{id}. */
  path: string;
  summary: string;
  tag: string;
  /** null: any signed-in member. */
  permission: Permission | null;
  /** Served without authentication (only the document itself). */
  public?: boolean;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success status. */
  status: 200 | 201 | 202;
  /** Streams a file instead of JSON. */
  produces?: "text/csv+jsonl";
}

const ZNoteInput = z.object({ note: z.string().max(2000).optional() }).strict();
const ZRejectInput = z.object({ note: z.string().trim().min(1).max(2000) }).strict();
const ZApprovalsQuery = ZPageQuery.extend({ status: z.enum(["pending", "approved", "rejected", "cancelled"]).optional() });

export { ZNoteInput, ZRejectInput, ZApprovalsQuery };

export const API_ROUTES: readonly ApiRoute[] = [
  { method: "GET", path: "/me", summary: "The caller, their workspace, role and permissions", tag: "identity", permission: null, status: 200 },
  { method: "POST", path: "/me/workspace", summary: "Switch the signed-in session to another workspace the user belongs to", tag: "identity", permission: null, body: ZSwitchWorkspaceInput, status: 200 },
  { method: "GET", path: "/openapi.json", summary: "This document", tag: "meta", permission: null, public: true, status: 200 },

  { method: "GET", path: "/catalog/controls", summary: "The control catalog", tag: "catalog", permission: ["guardrail", "read"], status: 200 },
  { method: "GET", path: "/catalog/controls/{id}", summary: "One control with its scenarios", tag: "catalog", permission: ["guardrail", "read"], status: 200 },
  { method: "POST", path: "/catalog/controls/{id}/compile", summary: "Compile a control per cloud (nothing is saved)", tag: "catalog", permission: ["guardrail", "read"], body: ZCompileInput, status: 200 },

  { method: "GET", path: "/connections", summary: "Connected cloud roots", tag: "connections", permission: ["connection", "read"], status: 200 },
  { method: "POST", path: "/connections", summary: "Connect a cloud root (credentials sealed; verification queued)", tag: "connections", permission: ["connection", "write"], body: ZCreateConnectionInput, status: 201 },
  { method: "GET", path: "/connections/bootstrap", summary: "Least-privilege setup to run in the cloud before connecting", tag: "connections", permission: ["connection", "read"], query: ZBootstrapQuery, status: 200 },
  { method: "GET", path: "/connections/{id}", summary: "One connection", tag: "connections", permission: ["connection", "read"], status: 200 },
  { method: "PATCH", path: "/connections/{id}", summary: "Rename, principal classes, limits, polling, wizard progress; a principal change that weakens protection answers 202 with an approval", tag: "connections", permission: ["connection", "write"], body: ZUpdateConnectionInput, status: 200 },
  { method: "DELETE", path: "/connections/{id}", summary: "Stop managing a connection (the cloud is not touched); ?confirm=<name>", tag: "connections", permission: ["connection", "write"], query: ZDeleteConnectionQuery, status: 200 },
  { method: "POST", path: "/connections/{id}/verify", summary: "Queue a permission check", tag: "connections", permission: ["connection", "write"], status: 202 },
  { method: "POST", path: "/connections/{id}/discover", summary: "Queue hierarchy discovery", tag: "connections", permission: ["connection", "write"], status: 202 },
  { method: "GET", path: "/connections/{id}/preview", summary: "The latest plan preview", tag: "connections", permission: ["connection", "read"], status: 200 },
  { method: "POST", path: "/connections/{id}/preview", summary: "Queue a plan preview", tag: "connections", permission: ["guardrail", "write"], status: 202 },
  { method: "POST", path: "/connections/{id}/reconcile", summary: "Queue a reconcile now", tag: "connections", permission: ["drift", "remediate"], status: 202 },
  { method: "POST", path: "/connections/{id}/rotate-credentials", summary: "Replace the credentials (re-verified)", tag: "connections", permission: ["connection", "write"], body: ZRotateCredentialsInput, status: 200 },
  { method: "POST", path: "/connections/{id}/event-secret", summary: "Issue the webhook HMAC secret (shown once)", tag: "connections", permission: ["connection", "write"], status: 200 },
  { method: "GET", path: "/connections/{id}/nodes", summary: "Hierarchy nodes (children of parentId, or search)", tag: "nodes", permission: ["node", "read"], query: ZListNodesQuery, status: 200 },

  { method: "GET", path: "/nodes/{id}/coverage", summary: "Guardrails that apply to a node: where each is attached and its status", tag: "nodes", permission: ["node", "read"], status: 200 },
  { method: "PATCH", path: "/nodes/{id}/labels", summary: "Replace a node's label overrides; one that takes environments out of a guardrail's scope answers 202 with an approval", tag: "nodes", permission: ["node", "write"], body: ZSetLabelsInput, status: 200 },
  { method: "POST", path: "/scope/preview", summary: "Environments a scope selects", tag: "nodes", permission: ["guardrail", "read"], body: ZScopePreviewInput, status: 200 },

  { method: "GET", path: "/guardrails", summary: "Guardrails with coverage", tag: "guardrails", permission: ["guardrail", "read"], query: ZListGuardrailsQuery, status: 200 },
  { method: "POST", path: "/guardrails", summary: "Create a guardrail from a control", tag: "guardrails", permission: ["guardrail", "write"], body: ZCreateGuardrailInput, status: 201 },
  { method: "GET", path: "/guardrails/{id}", summary: "One guardrail with its versions", tag: "guardrails", permission: ["guardrail", "read"], status: 200 },
  { method: "PATCH", path: "/guardrails/{id}", summary: "Edit (new version); weakening edits answer 202 with an approval", tag: "guardrails", permission: ["guardrail", "write"], body: ZUpdateGuardrailInput, status: 200 },
  { method: "DELETE", path: "/guardrails/{id}", summary: "Request deletion (approval)", tag: "guardrails", permission: ["guardrail", "write"], status: 202 },
  { method: "POST", path: "/guardrails/{id}/disable", summary: "Request disabling (approval)", tag: "guardrails", permission: ["guardrail", "write"], status: 202 },
  { method: "POST", path: "/guardrails/{id}/enable", summary: "Enable (applies at once)", tag: "guardrails", permission: ["guardrail", "write"], status: 200 },
  { method: "GET", path: "/guardrails/{id}/diff", summary: "Field differences between two versions", tag: "guardrails", permission: ["guardrail", "read"], query: ZDiffQuery, status: 200 },

  { method: "GET", path: "/exemptions", summary: "Exemptions", tag: "exemptions", permission: ["exemption", "read"], query: ZListExemptionsQuery, status: 200 },
  { method: "POST", path: "/exemptions", summary: "Request an exemption (approval)", tag: "exemptions", permission: ["exemption", "request"], body: ZCreateExemptionInput, status: 202 },
  { method: "POST", path: "/exemptions/{id}/revoke", summary: "Revoke an exemption (applies at once)", tag: "exemptions", permission: ["exemption", "request"], status: 200 },

  { method: "GET", path: "/approvals", summary: "Approval requests", tag: "approvals", permission: ["approval", "read"], query: ZApprovalsQuery, status: 200 },
  { method: "GET", path: "/approvals/{id}", summary: "One approval request", tag: "approvals", permission: ["approval", "read"], status: 200 },
  { method: "POST", path: "/approvals/{id}/approve", summary: "Approve (never your own); the change applies", tag: "approvals", permission: ["approval", "decide"], body: ZNoteInput, status: 200 },
  { method: "POST", path: "/approvals/{id}/reject", summary: "Reject with a note", tag: "approvals", permission: ["approval", "decide"], body: ZRejectInput, status: 200 },

  { method: "GET", path: "/drift", summary: "Drift findings", tag: "drift", permission: ["drift", "read"], query: ZListDriftQuery, status: 200 },
  { method: "GET", path: "/drift/timeline", summary: "Drift opened/resolved per day", tag: "drift", permission: ["drift", "read"], query: ZDriftTimelineQuery, status: 200 },
  { method: "GET", path: "/drift/{id}", summary: "One finding with expected, observed and timeline", tag: "drift", permission: ["drift", "read"], status: 200 },
  { method: "POST", path: "/drift/{id}/reapply", summary: "Reconcile the finding's connection now", tag: "drift", permission: ["drift", "remediate"], status: 202 },

  { method: "GET", path: "/coverage/overview", summary: "Coverage score and totals", tag: "coverage", permission: ["guardrail", "read"], status: 200 },
  { method: "GET", path: "/coverage/matrix", summary: "Environments × guardrails, paged by environment", tag: "coverage", permission: ["guardrail", "read"], query: ZMatrixQuery, status: 200 },

  { method: "GET", path: "/audit", summary: "Audit events, newest first", tag: "audit", permission: ["audit", "read"], query: ZAuditQuery, status: 200 },
  { method: "GET", path: "/audit/export", summary: "Audit events as CSV or JSON lines (streamed)", tag: "audit", permission: ["audit", "export"], query: ZAuditExportQuery, status: 200, produces: "text/csv+jsonl" },
  { method: "GET", path: "/audit/verify", summary: "Verify the keyed hash chain against the latest checkpoint", tag: "audit", permission: ["audit", "read"], status: 200 },
  { method: "GET", path: "/audit/checkpoint", summary: "The latest signed chain head kept outside the database", tag: "audit", permission: ["audit", "read"], status: 200 },
  { method: "POST", path: "/audit/checkpoint", summary: "Checkpoint the chain head now", tag: "audit", permission: ["audit", "export"], status: 200 },
  { method: "GET", path: "/activity", summary: "Recent audit events", tag: "audit", permission: ["audit", "read"], query: ZActivityQuery, status: 200 },

  { method: "GET", path: "/members", summary: "Members, and pending invitations for those who manage members (admins, owners)", tag: "members", permission: ["settings", "read"], status: 200 },
  { method: "POST", path: "/invitations", summary: "Invite a member (the answer carries the inviter's copy of the link, once; the invitee gets their own by e-mail; 20 an hour per inviter)", tag: "members", permission: ["settings", "write"], body: ZInviteInput, status: 201 },
  { method: "DELETE", path: "/invitations/{id}", summary: "Withdraw a pending invitation (its link stops working)", tag: "members", permission: ["settings", "write"], status: 200 },
  { method: "GET", path: "/invitations/lookup", summary: "What an invitation link offers (public: the signed token is the credential)", tag: "members", permission: null, public: true, query: ZInvitationLookupQuery, status: 200 },
  { method: "POST", path: "/invitations/accept", summary: "Accept an invitation: signed in as the invited address, join; not signed in, create the account (the e-mailed link only). Never checks a password (public: the signed token is the credential)", tag: "members", permission: null, public: true, body: ZAcceptInvitationInput, status: 200 },
  { method: "PATCH", path: "/members/{id}", summary: "Change a member's role", tag: "members", permission: ["settings", "write"], body: ZChangeRoleInput, status: 200 },
  { method: "DELETE", path: "/members/{id}", summary: "Remove a member (never the last owner)", tag: "members", permission: ["settings", "write"], status: 200 },

  { method: "GET", path: "/tokens", summary: "API tokens", tag: "tokens", permission: ["token", "manage"], status: 200 },
  { method: "POST", path: "/tokens", summary: "Issue an API token (shown once)", tag: "tokens", permission: ["token", "manage"], body: ZCreateTokenInput, status: 201 },
  { method: "DELETE", path: "/tokens/{id}", summary: "Revoke an API token", tag: "tokens", permission: ["token", "manage"], status: 200 },

  // Reports (issue 9): handlers in apps/web/src/app/api/v1/reports.
  { method: "GET", path: "/reports", summary: "Weekly report snapshots", tag: "reports", permission: ["report", "read"], status: 200 },
  { method: "GET", path: "/reports/{id}", summary: "One report snapshot's model", tag: "reports", permission: ["report", "read"], status: 200 },
  { method: "GET", path: "/reports/{id}/html", summary: "A report rendered as HTML", tag: "reports", permission: ["report", "read"], status: 200 },
  { method: "GET", path: "/reports/{id}/csv", summary: "A report's tables as CSV", tag: "reports", permission: ["report", "read"], status: 200, produces: "text/csv+jsonl" },
  { method: "GET", path: "/reports/preview", summary: "This week's report as it would be sent now", tag: "reports", permission: ["report", "read"], status: 200 },
  { method: "POST", path: "/reports/send-now", summary: "Send the report now (to yourself; managers to subscribers)", tag: "reports", permission: ["report", "read"], status: 202 },
  { method: "GET", path: "/reports/schedule", summary: "Weekly schedule and the next runs", tag: "reports", permission: ["report", "read"], status: 200 },
  { method: "PATCH", path: "/reports/schedule", summary: "Change the weekly schedule", tag: "reports", permission: ["settings", "write"], body: ZUpdateSettingsInput, status: 200 },
  { method: "GET", path: "/reports/subscriptions", summary: "Report subscriptions", tag: "reports", permission: ["report", "read"], status: 200 },
  { method: "POST", path: "/reports/subscriptions", summary: "Subscribe an address to the weekly report", tag: "reports", permission: ["report", "subscribe"], body: ZCreateSubscriptionInput, status: 201 },
  { method: "PATCH", path: "/reports/subscriptions/{id}", summary: "Pause or resume a subscription", tag: "reports", permission: ["report", "subscribe"], body: ZUpdateSubscriptionInput, status: 200 },
  { method: "DELETE", path: "/reports/subscriptions/{id}", summary: "Remove a subscription", tag: "reports", permission: ["report", "subscribe"], status: 200 },

  { method: "GET", path: "/settings", summary: "Workspace settings", tag: "settings", permission: ["settings", "read"], status: 200 },
  { method: "PATCH", path: "/settings", summary: "Time zone and weekly report schedule", tag: "settings", permission: ["settings", "write"], body: ZUpdateSettingsInput, status: 200 },
];


/**
 * Denial attribution (issue 17): read a connection's audit log since the last read, keep the calls the
 * cloud refused (`outcome: denied` — CloudTrail AccessDenied naming an explicit SCP/RCP deny, Azure
 * RequestDisallowedByPolicy / denyAction, GCP PERMISSION_DENIED by a deny policy or org policy, OCI
 * NotAuthorized… as each reader normalises them), and ask each enforcing guardrail's compiled
 * artifacts, through the same per-cloud impact evaluator as "would have blocked", whether they deny
 * that call in that environment. The first that does is the cause; none = "not Parapet's" (a
 * customer's own policy). Each denial is stored once; a Parapet one becomes a `denial.detected` alert.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import { getControl } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import type { DbClient as PrismaClient } from "../common/actor.ts";
import { connectionCompileBasis } from "../connections/compile-basis.ts";
import { adapterRequestFor } from "../connections/adapter-request.ts";
import type { Keyring } from "../connections/secrets.ts";
import { exemptionsBearingOn } from "../exemptions/exemptions.repository.ts";
import { auditNodeId, auditNodeIndex } from "../impact/audit-nodes.ts";
import { IMPACT_EVALUATORS } from "../impact/evaluators.ts";
import { connectionNodes } from "../impact/impact.repository.ts";
import type { TImpactEvaluator, TPreparedImpact } from "../impact/types.ts";
import { emitNotifications } from "../notifications/emit.ts";
import type { AdapterFactory } from "../reconcile/reconcile-connection.ts";
import { buildTree, selectEnvironments, type GuardrailScope, type TreeNode } from "../scope/select.ts";
import {
  activeGuardrails,
  connectionForDenials,
  denialConnections,
  denialCursor,
  insertNewDenials,
  saveDenialCursor,
} from "./denials.repository.ts";

export interface DenialDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
}

/** The first read looks back this far; later reads start where the last ended (minus a margin for late entries). */
const FIRST_LOOKBACK_MS = 24 * 3_600_000;
const LATE_MARGIN_MS = 10 * 60_000;
const PAGE_SIZE = 500;
/**
 * Bounded per run (a backlog is read over several runs). Generous: Azure's reader turns one page per
 * subscription, most of them empty, so a tenant of a few hundred subscriptions is still read in one run.
 */
const MAX_PAGES = 500;
/** Readers narrow by environment when the list is this short (as the impact replay's). */
const NARROW_MAX = 200;

interface Judge {
  id: string;
  name: string;
  prepared: TPreparedImpact;
  covered: (nodeId: string) => boolean;
}

export async function pollDenials(
  deps: DenialDeps,
  connectionId: string,
  now = new Date(),
): Promise<{ read: number; denied: number; parapet: number }> {
  const { prisma } = deps;
  const conn = await connectionForDenials(prisma, connectionId);
  if (!conn?.credentialCiphertext) return { read: 0, denied: 0, parapet: 0 };
  // Opened as replays open it: the audit log is where denials are read.
  const request = adapterRequestFor(deps.keys, { ...conn, credentialCiphertext: conn.credentialCiphertext }, { withAuditSource: true });
  const basis = connectionCompileBasis(conn, request.credentials);
  const nodes = await connectionNodes(prisma, conn.id);
  const tree = buildTree(
    nodes.map((n): TreeNode => ({
      id: n.id,
      parentId: n.parentId,
      isEnvironment: n.isEnvironment,
      labels: n.effectiveLabels as Record<string, string>,
    })),
  );
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const n of nodes) if (n.parentId) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id]);
  const exemptions = await exemptionsBearingOn(prisma, { workspaceId: conn.workspaceId }, conn.id, conn.cloud);

  // Only guardrails that deny in the cloud: enforce mode, compiled as the reconcile deploys them.
  const judges: Judge[] = [];
  const evaluator: TImpactEvaluator = IMPACT_EVALUATORS[conn.cloud];
  for (const g of await activeGuardrails(prisma, conn.workspaceId)) {
    if (g.version.mode !== "enforce") continue;
    const control = getControl(g.controlId);
    if (!control) continue;
    const input = {
      cloud: conn.cloud,
      mode: "enforce" as const,
      workspaceId: conn.workspaceId,
      guardrail: { id: g.id, version: g.version.version },
      params: g.version.params,
      principals: basis.principals,
      facts: basis.facts,
      // An exempt principal's refusal is not this guardrail's doing: its artifacts spare that principal.
      exemptPrincipals: exemptions.flatMap((e) => (e.guardrailId === g.id && e.principal ? [e.principal] : [])),
    };
    let selected: Set<string>;
    let prepared: TPreparedImpact;
    try {
      prepared = evaluator.prepare({ fragment: compileControl(control, input).fragment, ctx: buildContext(input) });
      selected = selectEnvironments(
        tree,
        g.version.scope as GuardrailScope,
        exemptions.flatMap((e) => (e.guardrailId === g.id && e.nodeId ? [e.nodeId] : [])),
      );
    } catch {
      // A guardrail that does not compile here deploys nothing here, so it denies nothing here.
      continue;
    }
    const memo = new Map<string, boolean>();
    const covered = (id: string): boolean => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      const kids = children.get(id) ?? [];
      const v = byId.get(id)?.isEnvironment ? selected.has(id) : kids.length > 0 && kids.every(covered);
      memo.set(id, v);
      return v;
    };
    judges.push({ id: g.id, name: g.name, prepared, covered });
  }

  const cursor = await denialCursor(prisma, conn.id);
  const since = cursor ? new Date(cursor.readUntil.getTime() - LATE_MARGIN_MS) : new Date(now.getTime() - FIRST_LOOKBACK_MS);
  const adapter = await deps.adapterFor(request);
  // Azure stores subscriptions as "subscriptions/<id>"; its Activity Log names the bare id (audit-nodes.ts).
  const nodeOf = auditNodeIndex(conn.cloud, nodes);
  // OCI's ListEvents is per compartment and not recursive: a call in a parent compartment is only read
  // there, so every recorded compartment is named; elsewhere the environments are.
  const envIds = nodes.filter((n) => n.isEnvironment || conn.cloud === "oci").map((n) => auditNodeId(conn.cloud, n.externalId));
  let read = 0;
  let denied = 0;
  let parapet = 0;
  try {
    if (!adapter.readAuditEvents) return { read, denied, parapet };
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await adapter.readAuditEvents({
        since,
        until: now,
        pageSize: PAGE_SIZE,
        // Some logs are per environment (GCP projects, OCI compartments): name them, as the impact replay does.
        ...(envIds.length > 0 && envIds.length <= NARROW_MAX ? { nodeExternalIds: envIds } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
      read += page.events.length;
      const refused = page.events.filter((e) => e.outcome === "denied");
      const rows = [];
      for (const e of refused) {
        const node = nodeOf(e.nodeExternalId);
        const cause = await attribute(judges, e, node?.id, adapter.lookupPrincipals?.bind(adapter));
        rows.push({
          workspaceId: conn.workspaceId,
          connectionId: conn.id,
          cloud: conn.cloud,
          eventId: e.id.slice(0, 300),
          time: new Date(e.time),
          principal: e.principal.id.slice(0, 500),
          principalName: e.principal.name?.slice(0, 300) ?? null,
          action: e.action.slice(0, 300),
          resource: e.resource.slice(0, 1000),
          nodeId: node?.id ?? null,
          environment: node?.name ?? e.nodeExternalId ?? null,
          parapet: cause !== null,
          guardrailId: cause?.guardrail.id ?? null,
          guardrailName: cause?.guardrail.name ?? null,
          statement: cause?.by.slice(0, 300) ?? null,
        });
      }
      const fresh = await insertNewDenials(prisma, rows);
      denied += fresh.length;
      const ours = fresh.filter((r) => r.parapet);
      parapet += ours.length;
      await emitNotifications(
        prisma,
        ours.map((r) => ({
          workspaceId: r.workspaceId,
          type: "denial.detected" as const,
          severity: "warning" as const,
          title: `${r.principalName ?? r.principal} was denied ${r.action} in ${r.environment ?? "an environment"} by "${r.guardrailName ?? "a guardrail"}"`,
          connectionId: r.connectionId,
          guardrailId: r.guardrailId ?? null,
          labels: r.nodeId ? ((byId.get(r.nodeId)?.effectiveLabels ?? {}) as Record<string, string>) : {},
          detail: {
            principal: r.principal,
            action: r.action,
            resource: r.resource || null,
            environment: r.environment ?? null,
            statement: r.statement ?? null,
          },
          dedupKey: `denial:${r.connectionId}:${r.eventId}`,
        })),
      );
      pageToken = page.nextPageToken;
    } while (pageToken && ++pages < MAX_PAGES);
    if (!pageToken) await saveDenialCursor(prisma, conn.id, now);
  } finally {
    await adapter.close().catch(() => undefined);
  }
  return { read, denied, parapet };
}

/** The guardrail (and its statement) whose artifact denies `e` where it happened, or null. */
async function attribute(
  judges: Judge[],
  e: AuditEvent,
  nodeId: string | undefined,
  lookup: ((ids: readonly string[]) => Promise<PrincipalFacts[]>) | undefined,
): Promise<{ guardrail: Judge; by: string } | null> {
  if (!nodeId) return null;
  for (const j of judges) {
    if (!j.covered(nodeId)) continue;
    const need = j.prepared.principalsNeedingFacts(e);
    const facts = new Map<string, PrincipalFacts>();
    if (need.length && lookup) for (const f of await lookup(need).catch(() => [])) facts.set(f.id, f);
    const v = await j.prepared.judge(e, facts);

    if (v.verdict === "denied") return { guardrail: j, by: v.by };
  }
  return null;
}

/**
 * The periodic poll (`impact.denials`, every minute): each connection in turn; one connection's
 * failure (credentials revoked, a cloud outage) is counted and the others are still read.
 */
export async function pollAllDenials(deps: DenialDeps, now = new Date()): Promise<{ connections: number; denied: number; failed: number }> {
  let denied = 0;
  let failed = 0;
  const conns = await denialConnections(deps.prisma);
  for (const c of conns) {
    try {
      denied += (await pollDenials(deps, c.id, now)).denied;
    } catch {
      failed++;
    }
  }
  return { connections: conns.length, denied, failed };
}

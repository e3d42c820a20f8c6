/**
 * The worker's half of a posture scan (issue 19): read the customer's own preventive policies through
 * the adapter's read-only `scanPosture` (never a write; its calls are counted on the scan, not on
 * observe), judge every catalog control at every environment with the catalog's scenarios, work out the
 * slots the customer's policies take and whether any of them would lock the connector out, and store it
 * all in one transaction. Watched policies ("external, watched") whose body changed get drift stamped.
 */
import { createHash } from "node:crypto";
import type { CloudAdapter, ForeignPolicy } from "@parapet/providers/contract";
import { canonicalJson, publicMessage } from "@parapet/providers/contract";
import { appendAudit } from "../audit/audit.repository.ts";
import { listControls } from "../catalog/catalog.ts";
import type { TCloud } from "../catalog/types.ts";
import type { DbClient as PrismaClient } from "../common/actor.ts";
import { connectionCompileBasis } from "../connections/compile-basis.ts";
import { openCredentials, type Keyring } from "../connections/secrets.ts";
import { connectorIdentity } from "../impact/protected.ts";
import type { AdapterFactory } from "../reconcile/reconcile-connection.ts";
import { effectiveForeign, type TPostureNodeRef } from "./effective.ts";
import { evaluatePosture, type TPostureVerdict } from "./evaluate.ts";
import { connectorLockouts, postureSlots, type TLockout } from "./fit.ts";
import { claimScan, failScan, foreignPoliciesOf, loadScan, postureNodes, storeScan } from "./posture.repository.ts";

export interface RunPostureDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
  workerId: string;
}

function foreignBodyHash(p: Pick<ForeignPolicy, "body" | "attachments">): string {
  return createHash("sha256")
    .update(canonicalJson({ body: p.body, attachments: [...p.attachments].sort() }))
    .digest("hex");
}

type TNodeRow = Awaited<ReturnType<typeof postureNodes>>[number];

function chainOf(byId: Map<string, TNodeRow>, node: TNodeRow): TPostureNodeRef[] {
  const out: TPostureNodeRef[] = [];
  let cur: TNodeRow | undefined = node;
  // Depth is bounded by each cloud's hierarchy limit; the guard only stops a corrupted cycle.
  for (let i = 0; cur && i < 64; i++) {
    out.unshift({ externalId: cur.externalId, name: cur.name, kind: cur.kind });
    cur = cur.parentId ? byId.get(cur.parentId) : undefined;
  }
  return out;
}

/**
 * Judges every control at every environment. Environments whose effective foreign policies are the
 * same (most accounts of an OU) share one evaluation.
 */
export async function evaluateConnectionPosture(input: {
  cloud: TCloud;
  nodes: TNodeRow[];
  inventory: readonly ForeignPolicy[];
  principals: unknown;
  facts: unknown;
}): Promise<Array<{ nodeId: string; verdict: TPostureVerdict }>> {
  const byId = new Map(input.nodes.map((n) => [n.id, n]));
  const facts = (input.facts ?? {}) as { managementAccountId?: string };
  const memo = new Map<string, TPostureVerdict[]>();
  const out: Array<{ nodeId: string; verdict: TPostureVerdict }> = [];
  for (const n of input.nodes) {
    if (!n.isEnvironment) continue;
    const chain = chainOf(byId, n);
    const effective = effectiveForeign(
      input.cloud,
      input.inventory,
      chain,
      facts.managementAccountId ? { managementAccountId: facts.managementAccountId } : {},
    );
    const key =
      effective.cloud === "aws"
        ? canonicalJson({
            scp: effective.scpLevels?.map((l) => l.policies.map((p) => p.name)) ?? null,
            rcp: effective.rcpLevels.map((l) => l.policies.map((p) => p.name)),
          })
        : canonicalJson(effective);
    let verdicts = memo.get(key);
    if (!verdicts) {
      verdicts = [];
      for (const control of listControls()) {
        verdicts.push(await evaluatePosture({ control, cloud: input.cloud, effective, principals: input.principals, facts: input.facts }));
      }
      memo.set(key, verdicts);
    }
    for (const verdict of verdicts) out.push({ nodeId: n.id, verdict });
  }
  return out;
}

/** Where the connector acts, as a chain of nodes: AWS its own account (SCPs follow the account), else the root. */
function connectorChain(cloud: TCloud, nodes: TNodeRow[], connectorArn: string | null): TPostureNodeRef[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const root = nodes.find((n) => n.parentId === null);
  if (!root) return [];
  if (cloud === "aws" && connectorArn) {
    const account = connectorArn.split(":")[4] ?? "";
    const home = nodes.find((n) => n.externalId === account);
    if (home) return chainOf(byId, home);
  }
  return [{ externalId: root.externalId, name: root.name, kind: root.kind }];
}

export async function runPostureScan(deps: RunPostureDeps, scanId: string): Promise<{ status: string; policies?: number; calls?: number }> {
  const { prisma } = deps;
  const scan = await loadScan(prisma, scanId);
  if (!scan || scan.status === "done" || scan.status === "failed") return { status: "gone" };
  if ((await claimScan(prisma, scanId)).count === 0) return { status: "gone" };
  const conn = scan.connection;
  const cloud = conn.cloud;
  const fail = async (message: string) => {
    await failScan(prisma, scanId, message);
    return { status: "failed" };
  };
  if (!conn.credentialCiphertext) return fail("the connection has no credentials");
  const credentials = openCredentials(deps.keys, conn.id, conn.credentialCiphertext);
  const basis = connectionCompileBasis(conn, credentials);
  const nodes = await postureNodes(prisma, conn.id);
  if (nodes.length === 0) return fail("the connection's hierarchy has not been discovered yet");

  let adapter: CloudAdapter | undefined;
  const started = Date.now();
  try {
    adapter = await deps.adapterFor({
      connectionId: conn.id,
      workspaceId: conn.workspaceId,
      cloud: conn.cloud,
      endpoint: conn.endpoint,
      credentials,
      facts: conn.facts,
      limits: conn.limits,
      auditSource: conn.auditSource,
    });
    if (!adapter.scanPosture) return await fail(`a posture scan is not available on ${cloud}`);
    adapter.resetStats();
    const inv = await adapter.scanPosture({ nodes: nodes.map((n) => ({ externalId: n.externalId, kind: n.kind })) });
    const stats = adapter.stats();

    const verdicts = await evaluateConnectionPosture({
      cloud,
      nodes,
      inventory: inv.policies,
      principals: basis.principals,
      facts: basis.facts,
    });
    const slots = postureSlots(cloud, inv.policies, (conn.limits ?? {}) as object);
    const connector = connectorIdentity(cloud, conn.credentialHints);
    const home = connectorChain(cloud, nodes, cloud === "aws" ? connector : null);
    const lockouts: TLockout[] = home.length
      ? await connectorLockouts({
          cloud,
          effective: effectiveForeign(cloud, inv.policies, home, { ...((conn.facts ?? {}) as { managementAccountId?: string }) }),
          principals: basis.principals,
          facts: basis.facts,
          ...(connector ? { connectorArn: connector } : {}),
        })
      : [];

    const previous = new Map((await foreignPoliciesOf(prisma, conn.id)).map((p) => [p.externalId, p]));
    const now = new Date();
    const drifted: string[] = [];
    const policies = inv.policies.map((p) => {
      const bodyHash = foreignBodyHash(p);
      const before = previous.get(p.externalId);
      const drift = before?.stance === "watched" && before.watchedHash !== null && before.watchedHash !== bodyHash;
      if (drift && !before.driftDetectedAt) drifted.push(p.name);
      return {
        kind: p.kind,
        externalId: p.externalId,
        name: p.name,
        attachments: p.attachments,
        body: JSON.parse(JSON.stringify(p.body)) as object,
        size: p.size,
        managedBy: p.managedBy ?? null,
        bodyHash,
        // Drift stays stamped until someone accepts the new body (re-watch) or it changes back.
        ...(before?.stance === "watched" ? { driftDetectedAt: drift ? (before.driftDetectedAt ?? now) : null } : {}),
      };
    });
    // A watched policy that disappeared is drift too.
    for (const [id, p] of previous)
      if (p.stance === "watched" && !p.goneAt && !inv.policies.some((x) => x.externalId === id)) drifted.push(`${p.name} (deleted)`);

    await storeScan(prisma, {
      scanId,
      workspaceId: conn.workspaceId,
      connectionId: conn.id,
      policies,
      results: verdicts
        .filter((v) => v.verdict.status !== "not-applicable")
        .map(({ nodeId, verdict }) => ({
          connectionId: conn.id,
          nodeId,
          controlId: verdict.controlId,
          status: verdict.status,
          enforcedBy: verdict.enforcedBy,
          failing: verdict.failing,
        })),
      scan: {
        calls: stats.reads + stats.writes,
        durationMs: Date.now() - started,
        policies: inv.policies.length,
        unreadable: inv.unreadable,
        slots: JSON.parse(JSON.stringify(slots)) as object,
        lockouts: JSON.parse(JSON.stringify(lockouts)) as object,
      },
    });
    await appendAudit(prisma, {
      workspaceId: conn.workspaceId,
      actorType: "system",
      actorId: deps.workerId,
      actorLabel: "Parapet worker",
      action: "posture.scanned",
      targetType: "connection",
      targetId: conn.id,
      data: { scan: scanId, policies: inv.policies.length, calls: stats.reads, lockouts: lockouts.length, drifted },
    });
    return { status: "done", policies: inv.policies.length, calls: stats.reads };
  } catch (e) {
    return await fail(`the posture scan failed: ${publicMessage(e)}`);
  } finally {
    await adapter?.close().catch(() => undefined);
  }
}

import { createHash } from "node:crypto";
import { stableStringify } from "../catalog/canonical.ts";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { can } from "../identity/roles.ts";
import { guardrailView } from "../guardrails/guardrail-view.ts";
import type { TVersionSpec } from "../guardrails/guardrails.schema.ts";
import { listGuardrails, pendingApprovals, workspaceConnections } from "../guardrails/guardrails.repository.ts";
import { compileClouds } from "../guardrails/preview-compile.ts";
import { checkSpec } from "../guardrails/validate-spec.ts";
import { weakeningReasons } from "../guardrails/weakening.ts";
import { scopeNodes } from "../nodes/nodes.repository.ts";
import { selectIn } from "../nodes/select-scope.ts";
import { codeSources } from "./code.repository.ts";
import type {
  TCodeDocument,
  TCodeGuardrail,
  TExemptionAction,
  TImpactLimits,
  TPlanAction,
  TPlanEntry,
  TPlanResult,
} from "./code.schema.ts";
import { planExemptions } from "./plan-exemptions.ts";
import { previewPlanImpact, type TProposal } from "./plan-impact.ts";

type Row = Awaited<ReturnType<typeof listGuardrails>>[number];

type Source = Awaited<ReturnType<typeof codeSources>>[number];

/** A workspace guardrail in the document's form (what export writes). */
export function documentForm(g: Row, key: string): TCodeGuardrail {
  const v = guardrailView(g);
  return {
    key,
    control: v.controlId,
    name: v.name,
    description: v.description,
    enabled: v.status === "active",
    mode: v.mode,
    remediation: v.remediation,
    params: v.params,
    scope: v.scope,
  };
}

/** Order-free hash of a document entry: what an apply recorded, to tell drift from a pending change. */
export const entryHash = (g: TCodeGuardrail) => createHash("sha256").update(stableStringify(g)).digest("hex");

const FIELDS = ["name", "description", "enabled", "mode", "remediation", "params", "scope"] as const;

/** Re-throws a use-case's field error with the document path in front (document.guardrails.3.params.x). */
async function at<T>(prefix: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof AppError) || (e.code !== "validation" && e.code !== "not_found")) throw e;
    // The use-cases name the console's fields; the document calls the control `control`.
    const rename = (t: string) => t.replace(/^controlId\b/, "control");
    const issues = e.issues.length > 0 ? e.issues : [{ field: "", message: e.message }];
    throw new AppError(
      "validation",
      `${prefix}.${rename(e.message)}`,
      issues.map((i) => ({ field: i.field ? `${prefix}.${rename(i.field)}` : prefix, message: i.message })),
    );
  }
}

export interface PlanContext {
  rows: Row[];
  sources: Source[];
  /** The document's guardrails matched to workspace rows (by code key, else by guardrail id). */
  matched: Map<string, Row>;
}

/**
 * Compares the document with the workspace: every document guardrail is added, changed, weakened or
 * unchanged; every workspace guardrail the document does not list is removed. Weakening is decided by
 * the same rule the console's edits go through (weakening.ts), over the workspace's environments.
 * Nothing is written.
 */
export async function computePlan(
  deps: Pick<UseCaseDeps, "prisma" | "jobs">,
  actor: Actor,
  doc: TCodeDocument,
  opts: { compiled: boolean; impact?: TImpactLimits | false },
): Promise<TPlanResult & { context: PlanContext }> {
  const db = deps.prisma;
  const [rows, sources, pending] = await Promise.all([
    listGuardrails(db, actor.workspaceId),
    codeSources(db, actor.workspaceId),
    pendingApprovals(db, actor.workspaceId, "guardrail"),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const sourceOf = new Map(sources.map((s) => [s.guardrailId, s]));
  const byKey = new Map(sources.flatMap((s) => (byId.has(s.guardrailId) ? [[s.key, byId.get(s.guardrailId)!] as const] : [])));
  const pendingOf = new Map(pending.map((p) => [p.subjectId, p.id]));
  const nodes = await scopeNodes(db, actor.workspaceId);
  const conns = opts.compiled ? await workspaceConnections(db, actor.workspaceId) : [];
  const connectedClouds = [...new Set(conns.map((c) => c.cloud))];

  const matched = new Map<string, Row>();
  const entries: TPlanEntry[] = [];
  const proposals: TProposal[] = [];
  const keyOf = (r: Row) => sourceOf.get(r.id)?.key ?? r.id;

  for (const [i, g] of doc.guardrails.entries()) {
    const prefix = `document.guardrails.${i}`;
    // A key names a guardrail applied from code under that key; otherwise it may be a guardrail's id (an export).
    const row = byKey.get(g.key) ?? (byId.has(g.key) && !sourceOf.has(g.key) ? byId.get(g.key) : undefined);
    if (row && row.controlId !== g.control)
      throw new AppError(
        "validation",
        `${prefix}.control: the workspace's "${g.key}" is ${row.controlId}; a guardrail's control cannot change (give it a new key)`,
        [{ field: `${prefix}.control`, message: "differs from the workspace guardrail's control" }],
      );
    if (!row && !g.enabled)
      throw new AppError("validation", `${prefix}.enabled: a new guardrail starts enabled`, [
        { field: `${prefix}.enabled`, message: "a new guardrail starts enabled" },
      ]);
    await at(prefix, () => checkSpec(db, actor.workspaceId, g.control, g.params, g.scope));
    if (row) matched.set(g.key, row);

    const current = row ? documentForm(row, g.key) : null;
    const changes = current
      ? FIELDS.filter((f) => stableStringify(current[f]) !== stableStringify(g[f])).map((f) => ({ field: f, from: current[f], to: g[f] }))
      : [];
    let reasons: string[] = [];
    if (current && changes.length > 0) {
      const before: TVersionSpec = { params: current.params, scope: current.scope, mode: current.mode, remediation: current.remediation };
      const after: TVersionSpec = { params: g.params, scope: g.scope, mode: g.mode, remediation: g.remediation };
      const scopeChanged = stableStringify(before.scope) !== stableStringify(after.scope);
      reasons = weakeningReasons({
        before,
        after,
        selectedBefore: scopeChanged ? selectIn(nodes, before.scope) : new Set(),
        selectedAfter: scopeChanged ? selectIn(nodes, after.scope) : new Set(),
      });
      if (current.enabled && !g.enabled) reasons.push("enabled: disables the guardrail everywhere");
    }
    const action: TPlanAction = !row ? "add" : changes.length === 0 ? "unchanged" : reasons.length > 0 ? "weaken" : "change";
    const source = row ? sourceOf.get(row.id) : undefined;
    const pendingApproval = row ? (pendingOf.get(row.id) ?? null) : null;
    entries.push({
      key: g.key,
      guardrailId: row?.id ?? null,
      name: g.name,
      control: g.control,
      action,
      changes,
      reasons,
      managed: source ? { repo: source.repo, commit: source.commit, appliedAt: source.appliedAt.toISOString() } : null,
      drift:
        source && current && !pendingApproval && entryHash(current) !== source.appliedHash
          ? `changed in the workspace since it was applied from ${source.repo || "code"}${source.commit ? `@${source.commit.slice(0, 12)}` : ""}`
          : null,
      pendingApproval,
      ...(opts.compiled && (action === "add" || action === "change" || action === "weaken")
        ? {
            compiled: compileClouds(
              conns,
              actor.workspaceId,
              g.control,
              { params: g.params, mode: g.mode },
              connectedClouds.length > 0 ? connectedClouds : undefined,
            ).clouds,
          }
        : {}),
    });
    if (action === "add" || action === "change" || action === "weaken") proposals.push({ g, guardrailId: row?.id ?? null });
  }
  const kept = new Set([...matched.values()].map((r) => r.id));
  const keyOfMatched = new Map([...matched.entries()].map(([k, r]) => [r.id, k]));
  const exemptions = await planExemptions(deps, actor, doc, {
    idOfKey: new Map([...matched.entries()].map(([k, r]) => [k, r.id])),
    keyOfId: (id) => keyOfMatched.get(id) ?? sourceOf.get(id)?.key ?? id,
  });
  for (const r of rows) {
    if (kept.has(r.id)) continue;
    const source = sourceOf.get(r.id);
    entries.push({
      key: keyOf(r),
      guardrailId: r.id,
      name: r.name,
      control: r.controlId,
      action: "remove",
      changes: [],
      reasons: ["deletes the guardrail and removes its artifacts"],
      managed: source ? { repo: source.repo, commit: source.commit, appliedAt: source.appliedAt.toISOString() } : null,
      drift: null,
      pendingApproval: pendingOf.get(r.id) ?? null,
    });
  }
  // After every check passed: a refused document reads no audit log.
  const impact = opts.impact ? await previewPlanImpact(deps, actor, proposals, nodes, opts.impact) : null;
  if (impact) for (const e of entries) if (impact.byKey.has(e.key) && e.action !== "remove") e.impact = impact.byKey.get(e.key)!;
  const count = (a: TPlanAction) => entries.filter((e) => e.action === a).length;
  const countExemptions = (a: TExemptionAction) => exemptions?.filter((e) => e.action === a).length ?? 0;
  // The hash covers what would be done, not the previews: a plan reviewed in a PR is the plan applied.
  const planHash = createHash("sha256")
    .update(
      stableStringify({
        guardrails: entries.map((e) => ({ key: e.key, guardrailId: e.guardrailId, action: e.action, changes: e.changes })),
        ...(exemptions
          ? {
              exemptions: exemptions.map((e) => ({
                guardrail: e.guardrail,
                nodeId: e.nodeId,
                principal: e.principal,
                action: e.action,
                exemptionId: e.exemptionId,
                changes: e.changes,
              })),
            }
          : {}),
      }),
    )
    .digest("hex");
  return {
    planHash,
    summary: {
      add: count("add"),
      change: count("change"),
      weaken: count("weaken"),
      remove: count("remove"),
      unchanged: count("unchanged"),
      drift: entries.filter((e) => e.drift).length,
      ...(exemptions
        ? {
            exemptions: {
              add: countExemptions("add"),
              change: countExemptions("change"),
              remove: countExemptions("remove"),
              unchanged: countExemptions("unchanged"),
            },
          }
        : {}),
    },
    entries,
    ...(exemptions ? { exemptions } : {}),
    ...(impact ? { impact: impact.meta } : {}),
    context: { rows, sources, matched },
  };
}

/** `POST /code/plan`: the plan without its working context. */
export async function planDocument(
  deps: Pick<UseCaseDeps, "prisma" | "jobs">,
  actor: Actor,
  doc: TCodeDocument,
  opts: { compiled: boolean; impact: TImpactLimits | false },
) {
  // A preview reads the clouds' audit logs at their low rate limits, as a stored replay does: the same
  // permission as requesting one (POST /guardrails/{id}/impact), not merely reading guardrails.
  if (opts.impact && !can(actor.role, "guardrail", "write"))
    throw new AppError(
      "forbidden",
      `impact: previewing what would have been blocked needs the guardrail write permission (role ${actor.role})`,
    );
  const { context: _context, ...plan } = await computePlan(deps, actor, doc, opts);
  return plan;
}

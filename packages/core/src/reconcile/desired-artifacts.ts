/**
 * Desired state, per cloud (pure): the compiled fragments at each attachment point become native
 * artifacts, packed within the connection's limits (AWS SCP/RCP packing, Azure initiatives, GCP org
 * policies and custom constraints, OCI policies and security zones), and each guardrail's coverage learns
 * which (artifact, attachment) pairs its protection depends on. A limit that refuses part of it is a
 * problem reported at plan time. Called by `computeDesiredState` (desired-state.ts).
 */
import type { DesiredArtifact } from "@parapet/providers/contract";
import { contentHash } from "@parapet/providers/contract";
import {
  buildAzureInitiative,
  buildGcpNodeArtifacts,
  buildOciPoliciesForTarget,
  LimitError,
  ociSecurityZonePolicyNames,
  packAwsPolicies,
  type TAwsBoundStatement,
  type TAzureFragment,
  type TFidelity,
  type TFragment,
  type TGcpFragment,
  type TOciFragment,
} from "../catalog/index.ts";
import type { CoverageIntent, DesiredGuardrail, DesiredInput, DesiredNode, PlanProblem } from "./desired-state.ts";

export interface Compiled {
  guardrail: DesiredGuardrail;
  fidelity: TFidelity;
  gap?: string;
  /** Attachment points (node ids) and the selected environments below each. */
  points: Map<string, string[]>;
  exempt: string[];
  fragment: TFragment;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Each attachment point with the fragments bound there, in a stable order. */
function fragmentsByPoint<F extends TFragment>(compiled: Compiled[], keep: (f: TFragment) => f is F): Array<[string, F[]]> {
  const byPoint = new Map<string, F[]>();
  for (const c of compiled) {
    if (!keep(c.fragment)) continue;
    for (const point of c.points.keys()) byPoint.set(point, [...(byPoint.get(point) ?? []), c.fragment]);
  }
  return [...byPoint.entries()].sort(([a], [b]) => byString(a, b));
}

type Put = (a: DesiredArtifact) => void;
type AddRequire = (g: string, point: string, r: CoverageIntent["requires"][number]) => void;

export function buildAws(
  input: DesiredInput,
  compiled: Compiled[],
  ext: (id: string) => string,
  put: Put,
  addRequire: AddRequire,
  problems: PlanProblem[],
): void {
  const byTarget = new Map<string, { point: string; statements: TAwsBoundStatement[] }>();
  for (const c of compiled) {
    const f = c.fragment;
    if (f.cloud !== "aws" || !f.attach || f.statements.length === 0) continue;
    for (const point of c.points.keys()) {
      const t = ext(point);
      const entry = byTarget.get(t) ?? { point, statements: [] };
      entry.statements.push(...f.statements);
      byTarget.set(t, entry);
    }
  }
  if (byTarget.size === 0) return;
  const packed = packAwsPolicies({
    workspaceId: input.workspaceId,
    limits: input.limits?.aws,
    targets: [...byTarget.entries()].map(([targetId, e]) => ({
      targetId,
      statements: e.statements,
      slotsTaken: {
        SCP: Math.max(1, input.foreignSlots?.[targetId]?.["aws.scp"] ?? 1),
        RCP: Math.max(1, input.foreignSlots?.[targetId]?.["aws.rcp"] ?? 1),
      },
    })),
  });
  for (const issue of packed.issues) {
    problems.push({
      code: "limit",
      message: issue.message,
      guardrailIds: issue.guardrailIds,
      ...("targetId" in issue ? { target: issue.targetId } : {}),
    });
  }
  // Targets with an issue get nothing (their change is refused); the others are packed as usual. The
  // plan holds every removal while a limit problem stands (see PlanInput.holdCleanup).
  const sidGuardrail = new Map<string, string>();
  for (const e of byTarget.values()) for (const s of e.statements) if (s.statement.Sid) sidGuardrail.set(s.statement.Sid, s.guardrailId);
  const policyByName = new Map(packed.policies.map((p) => [p.name, p]));
  const attachmentsByPolicy = new Map<string, string[]>();
  for (const a of packed.attachments) {
    attachmentsByPolicy.set(a.policyName, [...(attachmentsByPolicy.get(a.policyName) ?? []), a.targetId]);
  }
  for (const p of packed.policies) {
    const guardrailIds = [
      ...new Set(p.document.Statement.map((s) => (s.Sid ? sidGuardrail.get(s.Sid) : undefined)).filter((x): x is string => !!x)),
    ];
    put({
      kind: p.type === "SCP" ? "aws.scp" : "aws.rcp",
      name: p.name,
      body: p,
      attachments: attachmentsByPolicy.get(p.name) ?? [],
      guardrailIds,
    });
  }
  for (const a of packed.attachments) {
    const p = policyByName.get(a.policyName)!;
    const point = byTarget.get(a.targetId)!.point;
    const gs = new Set(p.document.Statement.map((s) => (s.Sid ? sidGuardrail.get(s.Sid) : undefined)));
    for (const g of gs) if (g) addRequire(g, point, { kind: p.type === "SCP" ? "aws.scp" : "aws.rcp", name: p.name, target: a.targetId });
  }
}

function limitProblem(e: unknown, problems: PlanProblem[]): boolean {
  if (e instanceof LimitError) {
    problems.push({ code: "limit", message: e.message, guardrailIds: e.guardrailIds, target: e.target });
    return true;
  }
  return false;
}

/** The guardrails of the fragments that contribute to one artifact (all of them if none claims it). */
function owners<F extends { guardrailId: string }>(fragments: F[], contributes: (f: F) => boolean, all: string[]): string[] {
  const ids = fragments.filter(contributes).map((f) => f.guardrailId);
  return ids.length ? ids : all;
}

export function buildAzure(
  input: DesiredInput,
  compiled: Compiled[],
  ext: (id: string) => string,
  put: Put,
  addRequire: AddRequire,
  problems: PlanProblem[],
): void {
  const facts = input.facts as { rootManagementGroupId: string };
  const definitionScope = `providers/Microsoft.Management/managementGroups/${facts.rootManagementGroupId}`;
  for (const [point, fragments] of fragmentsByPoint(compiled, (f): f is TAzureFragment => f.cloud === "azure" && f.policies.length > 0)) {
    const scope = ext(point).replace(/^\//, "");
    let built;
    try {
      built = buildAzureInitiative(scope, fragments, { workspaceId: input.workspaceId, definitionScope });
    } catch (e) {
      if (limitProblem(e, problems)) continue;
      throw e;
    }
    const gids = fragments.map((f) => f.guardrailId);
    // A definition belongs to the guardrails whose fragment carries it, not to every guardrail at this
    // point: its drift is attributed (and repaired or only reported) by those guardrails' remediation.
    // The initiative and the assignment are shared by every fragment packed into them.
    const ownersOf = (name: string) => owners(fragments, (f) => f.policies.some((p) => p.definition.name === name), gids);
    for (const d of built.definitions)
      put({ kind: "azure.policy-definition", name: d.name, body: d, attachments: [definitionScope], guardrailIds: ownersOf(d.name) });
    for (const i of built.initiatives)
      put({ kind: "azure.policy-set-definition", name: i.name, body: i, attachments: [definitionScope], guardrailIds: gids });
    for (const a of built.assignments) {
      put({ kind: "azure.policy-assignment", name: a.name, body: a, attachments: [scope], guardrailIds: gids });
      const mode = a.properties.enforcementMode;
      for (const f of fragments) {
        if (f.enforcementMode !== mode) continue;
        addRequire(f.guardrailId, point, { kind: "azure.policy-assignment", name: a.name, target: scope });
        for (const p of f.policies)
          addRequire(f.guardrailId, point, { kind: "azure.policy-definition", name: p.definition.name, target: definitionScope });
      }
    }
  }
}

export function buildGcp(
  input: DesiredInput,
  compiled: Compiled[],
  ext: (id: string) => string,
  put: Put,
  addRequire: AddRequire,
  problems: PlanProblem[],
): void {
  const facts = input.facts as { organizationId: string };
  const org = `organizations/${facts.organizationId}`;
  for (const [point, fragments] of fragmentsByPoint(compiled, (f): f is TGcpFragment => f.cloud === "gcp")) {
    const node = ext(point);
    let built;
    try {
      built = buildGcpNodeArtifacts(node, fragments, input.workspaceId);
    } catch (e) {
      if (limitProblem(e, problems)) continue;
      throw e;
    }
    const gids = fragments.map((f) => f.guardrailId);
    // Each artifact belongs to the guardrails whose fragment contributes to it, not to every guardrail
    // attached at this point: drift on a notify-mode guardrail's org policy is reported, not put back,
    // even when an auto-mode guardrail shares the node (and the finding names the right guardrail).
    const leaf = (name: string) => name.slice(name.lastIndexOf("/") + 1);
    const setsConstraint = (f: TGcpFragment, constraint: string) =>
      f.orgPolicies.some((op) => op.constraint === constraint || op.constraint.endsWith(constraint));
    for (const cc of built.customConstraints) {
      put({
        kind: "gcp.custom-constraint",
        name: cc.name,
        body: cc,
        attachments: [org],
        guardrailIds: owners(fragments, (f) => f.customConstraints.some((c) => leaf(c.name) === leaf(cc.name)), gids),
      });
    }
    for (const p of built.policies) {
      const constraint = p.name.split("/policies/")[1] ?? "";
      put({
        kind: "gcp.org-policy",
        name: p.name,
        body: p,
        attachments: [node],
        guardrailIds: owners(fragments, (f) => setsConstraint(f, constraint), gids),
      });
      for (const f of fragments) {
        if (setsConstraint(f, constraint)) addRequire(f.guardrailId, point, { kind: "gcp.org-policy", name: p.name, target: node });
      }
    }
    if (built.denyPolicy) {
      put({
        kind: "gcp.deny-policy",
        name: built.denyPolicy.name,
        body: built.denyPolicy,
        attachments: [node],
        guardrailIds: owners(fragments, (f) => f.attachDenyRules && f.denyRules.length > 0, gids),
      });
      for (const f of fragments) {
        if (f.attachDenyRules && f.denyRules.length)
          addRequire(f.guardrailId, point, { kind: "gcp.deny-policy", name: built.denyPolicy.name, target: node });
      }
    }
  }
}

/** The root's direct children (external ids) above the environments the zone guardrails select at `point`. */
function ociTopLevelTargets(
  compiled: Compiled[],
  point: string,
  gids: string[],
  nodeById: Map<string, DesiredNode>,
  ext: (id: string) => string,
): string[] {
  const tops = new Set<string>();
  for (const c of compiled) {
    if (c.fragment.cloud !== "oci" || !gids.includes(c.guardrail.id)) continue;
    for (const env of c.points.get(point) ?? []) {
      let cur = env;
      for (let parent = nodeById.get(cur)?.parentId; parent && parent !== point; parent = nodeById.get(cur)?.parentId) cur = parent;
      if (cur !== point) tops.add(ext(cur));
    }
  }
  return [...tops].sort(byString);
}

export function buildOci(
  input: DesiredInput,
  compiled: Compiled[],
  ext: (id: string) => string,
  nodeById: Map<string, DesiredNode>,
  put: Put,
  addRequire: AddRequire,
  problems: PlanProblem[],
): void {
  for (const [point, fragments] of fragmentsByPoint(compiled, (f): f is TOciFragment => f.cloud === "oci")) {
    const node = nodeById.get(point)!;
    const compartmentId = ext(point);
    let policies;
    try {
      policies = buildOciPoliciesForTarget({ compartmentId, isRoot: node.kind === "tenancy" }, fragments, input.workspaceId);
    } catch (e) {
      if (limitProblem(e, problems)) continue;
      throw e;
    }
    for (const p of policies) {
      put({ kind: "oci.policy", name: p.name, body: p, attachments: [compartmentId], guardrailIds: fragments.map((f) => f.guardrailId) });
      for (const f of fragments)
        if (f.attach && f.statements.length) addRequire(f.guardrailId, point, { kind: "oci.policy", name: p.name, target: compartmentId });
    }
    const zonePolicies = ociSecurityZonePolicyNames(fragments);
    if (zonePolicies.length) {
      const gids = fragments.filter((f) => f.attach && f.securityZonePolicies.length).map((f) => f.guardrailId);
      let targets = [compartmentId];
      if (node.kind === "tenancy") {
        // Creating a security zone on a compartment makes Cloud Guard delete the Cloud Guard targets of it
        // and all its subcompartments, and Oracle advises against zones on the root compartment
        // (security-zone/using/create-security-zone.htm): at the root that is every target in the tenancy,
        // including the root target Cloud Guard is usually enabled with. The zones go one level down, on
        // the top-level compartments that hold the selected environments (the adapter still refuses any
        // compartment with a customer's target below it).
        targets = ociTopLevelTargets(compiled, point, gids, nodeById, ext);
        if (targets.length === 0) {
          problems.push({
            code: "limit",
            message: `oci: security zones are never placed on the root compartment (creating one makes Cloud Guard delete every Cloud Guard target in the tenancy), and no compartment below it holds the selected environments; guardrails ${[...gids].sort(byString).join(", ")} get no security zone.`,
            guardrailIds: [...gids].sort(byString),
            target: compartmentId,
          });
          continue;
        }
      }
      // The recipe lives beside the first zone it serves (the adapter observes it there).
      const key = contentHash({ compartmentId: targets[0], zonePolicies }).slice(0, 12);
      const name = `parapet-zone-${key}`;
      put({
        kind: "oci.security-zone",
        name,
        body: { displayName: name, compartmentId: targets[0], securityPolicyNames: zonePolicies, workspaceId: input.workspaceId },
        attachments: targets,
        guardrailIds: gids,
      });
      for (const g of gids) for (const t of targets) addRequire(g, point, { kind: "oci.security-zone", name, target: t });
    }
  }
}

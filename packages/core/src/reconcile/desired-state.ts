/**
 * Desired state for one connection (pure): for each active guardrail version, select environments,
 * subtract exemptions, choose attachment points as high as the selection allows, compile the control
 * for this cloud, then build/pack native artifacts within the connection's limits. Limit problems are
 * reported here, at plan time, naming the target, the limit and the guardrails involved.
 */
import type { ArtifactKind, CloudId, DesiredArtifact } from "@parapet/providers/contract";
import type { TAwsPolicyLimits } from "@parapet/providers/aws/types";
import { contentHash } from "@parapet/providers/contract";
import {
  buildAzureInitiative,
  buildGcpNodeArtifacts,
  buildOciPoliciesForTarget,
  compileControl,
  getControl,
  LimitError,
  ociSecurityZonePolicyNames,
  packAwsPolicies,
  type TAwsBoundStatement,
  type TAzureFragment,
  type TFidelity,
  type TFragment,
  type TGcpFragment,
  type TGuardrailMode,
  type TOciFragment,
} from "../catalog/index.ts";
import { attachmentPoints, buildTree, selectEnvironments, type GuardrailScope, type TreeNode } from "../scope/select.ts";

export interface DesiredNode {
  /** Parapet's node id. */
  id: string;
  externalId: string;
  parentId: string | null;
  kind: string;
  name: string;
  isEnvironment: boolean;
  labels: Readonly<Record<string, string>>;
}

export interface DesiredGuardrail {
  id: string;
  version: number;
  controlId: string;
  params: unknown;
  scope: GuardrailScope;
  mode: TGuardrailMode;
}

export interface DesiredInput {
  cloud: CloudId;
  workspaceId: string;
  facts: unknown;
  principals: unknown;
  limits?: { aws?: Partial<TAwsPolicyLimits> };
  nodes: DesiredNode[];
  guardrails: DesiredGuardrail[];
  /** Active exemptions (guardrail × node subtree). */
  exemptions: Array<{ guardrailId: string; nodeId: string }>;
  /** AWS: attachment slots held by policies Parapet does not own, per target external id. */
  foreignSlots?: Record<string, Partial<Record<ArtifactKind, number>>>;
}

export type CoverageExpectation = "enforced" | "audit" | "exempt" | "unsupported";

export interface CoverageIntent {
  guardrailId: string;
  nodeId: string;
  status: CoverageExpectation;
  fidelity: TFidelity;
  /** The (artifact, attachment) pairs this environment's protection depends on. */
  requires: Array<{ kind: ArtifactKind; name: string; target: string }>;
}

export interface PlanProblem {
  code: "limit" | "compile";
  message: string;
  guardrailIds: string[];
  target?: string;
}

export interface DesiredState {
  artifacts: DesiredArtifact[];
  coverage: CoverageIntent[];
  problems: PlanProblem[];
  /** Per guardrail, how this cloud expresses it. */
  fidelity: Record<string, { fidelity: TFidelity; gap?: string }>;
}

interface Compiled {
  guardrail: DesiredGuardrail;
  fidelity: TFidelity;
  gap?: string;
  /** Attachment points (node ids) and the selected environments below each. */
  points: Map<string, string[]>;
  exempt: string[];
  fragment: TFragment;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function computeDesiredState(input: DesiredInput): DesiredState {
  const problems: PlanProblem[] = [];
  const fidelity: DesiredState["fidelity"] = {};
  const nodeById = new Map(input.nodes.map((n) => [n.id, n]));
  const tree = buildTree(
    input.nodes.map((n): TreeNode => ({ id: n.id, parentId: n.parentId, isEnvironment: n.isEnvironment, labels: n.labels })),
  );
  const parentOf = (id: string) => nodeById.get(id)?.parentId ?? null;

  const compiled: Compiled[] = [];
  for (const g of [...input.guardrails].sort((a, b) => byString(a.id, b.id))) {
    const control = getControl(g.controlId);
    if (!control) {
      problems.push({ code: "compile", message: `guardrail ${g.id}: unknown control "${g.controlId}"`, guardrailIds: [g.id] });
      continue;
    }
    const exemptNodes = input.exemptions.filter((e) => e.guardrailId === g.id).map((e) => e.nodeId);
    let selected: Set<string>;
    try {
      selected = selectEnvironments(tree, g.scope, exemptNodes);
    } catch (e) {
      problems.push({ code: "compile", message: `guardrail ${g.id}: ${(e as Error).message}`, guardrailIds: [g.id] });
      continue;
    }
    const exempt = [...selectEnvironments(tree, g.scope)].filter((id) => !selected.has(id));
    const points = new Map<string, string[]>();
    const pointSet = new Set(attachmentPoints(tree, selected));
    for (const env of selected) {
      // The env's attachment point is its nearest ancestor-or-self in the point set.
      let cur: string | null = env;
      while (cur && !pointSet.has(cur)) cur = parentOf(cur);
      if (!cur) continue;
      const list = points.get(cur);
      if (list) list.push(env);
      else points.set(cur, [env]);
    }
    try {
      const c = compileControl(control, {
        cloud: input.cloud,
        mode: g.mode,
        workspaceId: input.workspaceId,
        guardrail: { id: g.id, version: g.version },
        params: g.params,
        principals: input.principals,
        facts: input.facts,
      });
      fidelity[g.id] = { fidelity: c.fidelity, ...(c.gap ? { gap: c.gap } : {}) };
      compiled.push({ guardrail: g, fidelity: c.fidelity, ...(c.gap ? { gap: c.gap } : {}), points, exempt, fragment: c.fragment });
    } catch (e) {
      problems.push({ code: "compile", message: `guardrail ${g.id}: ${(e as Error).message}`, guardrailIds: [g.id] });
    }
  }

  const ext = (nodeId: string) => nodeById.get(nodeId)!.externalId;
  const artifacts = new Map<string, DesiredArtifact>();
  const put = (a: DesiredArtifact) => {
    const key = `${a.kind}|${a.name}`;
    const prev = artifacts.get(key);
    if (prev) {
      prev.attachments = [...new Set([...prev.attachments, ...a.attachments])].sort(byString);
      prev.guardrailIds = [...new Set([...prev.guardrailIds, ...a.guardrailIds])].sort(byString);
    } else {
      artifacts.set(key, { ...a, attachments: [...a.attachments].sort(byString), guardrailIds: [...a.guardrailIds].sort(byString) });
    }
  };
  /** guardrailId → attachment node id → required artifact pairs. */
  const requires = new Map<string, Map<string, CoverageIntent["requires"]>>();
  const addRequire = (g: string, point: string, r: CoverageIntent["requires"][number]) => {
    let byPoint = requires.get(g);
    if (!byPoint) requires.set(g, (byPoint = new Map<string, CoverageIntent["requires"]>()));
    const list = byPoint.get(point);
    if (list) list.push(r);
    else byPoint.set(point, [r]);
  };

  switch (input.cloud) {
    case "aws":
      buildAws(input, compiled, ext, put, addRequire, problems);
      break;
    case "azure":
      buildAzure(input, compiled, ext, put, addRequire, problems);
      break;
    case "gcp":
      buildGcp(input, compiled, ext, put, addRequire, problems);
      break;
    case "oci":
      buildOci(input, compiled, ext, nodeById, put, addRequire, problems);
      break;
  }

  const coverage: CoverageIntent[] = [];
  for (const c of compiled) {
    const audit = c.guardrail.mode === "audit";
    for (const [point, envs] of c.points) {
      const req = requires.get(c.guardrail.id)?.get(point) ?? [];
      for (const env of envs) {
        coverage.push({
          guardrailId: c.guardrail.id,
          nodeId: env,
          status: c.fidelity === "unsupported" ? "unsupported" : audit ? "audit" : "enforced",
          fidelity: c.fidelity,
          requires: req,
        });
      }
    }
    for (const env of c.exempt) {
      coverage.push({ guardrailId: c.guardrail.id, nodeId: env, status: "exempt", fidelity: c.fidelity, requires: [] });
    }
  }
  coverage.sort((a, b) => byString(a.guardrailId, b.guardrailId) || byString(a.nodeId, b.nodeId));
  return {
    artifacts: [...artifacts.values()].sort((a, b) => byString(a.kind, b.kind) || byString(a.name, b.name)),
    coverage,
    problems,
    fidelity,
  };
}

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

function buildAws(
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
    const guardrailIds = [...new Set(p.document.Statement.map((s) => (s.Sid ? sidGuardrail.get(s.Sid) : undefined)).filter((x): x is string => !!x))];
    put({ kind: p.type === "SCP" ? "aws.scp" : "aws.rcp", name: p.name, body: p, attachments: attachmentsByPolicy.get(p.name) ?? [], guardrailIds });
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

function buildAzure(
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
    for (const d of built.definitions) put({ kind: "azure.policy-definition", name: d.name, body: d, attachments: [definitionScope], guardrailIds: ownersOf(d.name) });
    for (const i of built.initiatives) put({ kind: "azure.policy-set-definition", name: i.name, body: i, attachments: [definitionScope], guardrailIds: gids });
    for (const a of built.assignments) {
      put({ kind: "azure.policy-assignment", name: a.name, body: a, attachments: [scope], guardrailIds: gids });
      const mode = a.properties.enforcementMode;
      for (const f of fragments) {
        if (f.enforcementMode !== mode) continue;
        addRequire(f.guardrailId, point, { kind: "azure.policy-assignment", name: a.name, target: scope });
        for (const p of f.policies) addRequire(f.guardrailId, point, { kind: "azure.policy-definition", name: p.definition.name, target: definitionScope });
      }
    }
  }
}

function buildGcp(
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
    const setsConstraint = (f: TGcpFragment, constraint: string) => f.orgPolicies.some((op) => op.constraint === constraint || op.constraint.endsWith(constraint));
    for (const cc of built.customConstraints) {
      put({ kind: "gcp.custom-constraint", name: cc.name, body: cc, attachments: [org], guardrailIds: owners(fragments, (f) => f.customConstraints.some((c) => leaf(c.name) === leaf(cc.name)), gids) });
    }
    for (const p of built.policies) {
      const constraint = p.name.split("/policies/")[1] ?? "";
      put({ kind: "gcp.org-policy", name: p.name, body: p, attachments: [node], guardrailIds: owners(fragments, (f) => setsConstraint(f, constraint), gids) });
      for (const f of fragments) {
        if (setsConstraint(f, constraint)) addRequire(f.guardrailId, point, { kind: "gcp.org-policy", name: p.name, target: node });
      }
    }
    if (built.denyPolicy) {
      put({ kind: "gcp.deny-policy", name: built.denyPolicy.name, body: built.denyPolicy, attachments: [node], guardrailIds: owners(fragments, (f) => f.attachDenyRules && f.denyRules.length > 0, gids) });
      for (const f of fragments) {
        if (f.attachDenyRules && f.denyRules.length) addRequire(f.guardrailId, point, { kind: "gcp.deny-policy", name: built.denyPolicy.name, target: node });
      }
    }
  }
}

/** The root's direct children (external ids) above the environments the zone guardrails select at `point`. */
function ociTopLevelTargets(compiled: Compiled[], point: string, gids: string[], nodeById: Map<string, DesiredNode>, ext: (id: string) => string): string[] {
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

function buildOci(
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
      for (const f of fragments) if (f.attach && f.statements.length) addRequire(f.guardrailId, point, { kind: "oci.policy", name: p.name, target: compartmentId });
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

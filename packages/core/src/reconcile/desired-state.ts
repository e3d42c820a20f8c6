/**
 * Desired state for one connection (pure): for each active guardrail version, select environments,
 * subtract exemptions, choose attachment points as high as the selection allows, compile the control
 * for this cloud, then build/pack native artifacts within the connection's limits (per cloud, in
 * desired-artifacts.ts). Limit problems are reported here, at plan time, naming the target, the limit and
 * the guardrails involved.
 */
import type { ArtifactKind, CloudId, DesiredArtifact } from "@parapet/providers/contract";
import type { TAwsPolicyLimits } from "@parapet/providers/aws/types";
import { compileControl, getControl, type TControl, type TFidelity, type TGuardrailMode } from "../catalog/index.ts";
import { buildAws, buildAzure, buildGcp, buildOci, type Compiled } from "./desired-artifacts.ts";
import { attachmentPoints, buildTree, selectEnvironments, type GuardrailScope, type TreeNode } from "../scope/select.ts";
import { reachedEnvironments, type TRolloutReach } from "../rollouts/reach.ts";

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
  /**
   * A staged rollout of this (enforce) version: only the environments it has reached get enforce, the
   * rest of the scope stays in audit (rollouts/reach.ts).
   */
  rollout?: TRolloutReach;
}

export interface DesiredInput {
  cloud: CloudId;
  workspaceId: string;
  facts: unknown;
  principals: unknown;
  limits?: { aws?: Partial<TAwsPolicyLimits> };
  nodes: DesiredNode[];
  guardrails: DesiredGuardrail[];
  /** Active exemptions: guardrail × node subtree, or guardrail × one principal of this cloud. */
  exemptions: Array<{ guardrailId: string; nodeId: string | null; principal?: string | null }>;
  /** AWS: attachment slots held by policies Parapet does not own, per target external id. */
  foreignSlots?: Record<string, Partial<Record<ArtifactKind, number>>>;
}

type CoverageExpectation = "enforced" | "audit" | "exempt" | "unsupported";

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
    const mine = input.exemptions.filter((e) => e.guardrailId === g.id);
    const exemptNodes = mine.flatMap((e) => (e.nodeId ? [e.nodeId] : []));
    const exemptPrincipals = mine.flatMap((e) => (e.principal ? [e.principal] : []));
    let selected: Set<string>;
    try {
      selected = selectEnvironments(tree, g.scope, exemptNodes);
    } catch (e) {
      problems.push({ code: "compile", message: `guardrail ${g.id}: ${(e as Error).message}`, guardrailIds: [g.id] });
      continue;
    }
    const exempt = [...selectEnvironments(tree, g.scope)].filter((id) => !selected.has(id));
    // A rollout compiles the guardrail twice: enforce for the environments it reached, audit for the rest
    // of the scope, each set attached as high as its own selection allows. Without one: one set.
    let sets: Array<{ mode: TGuardrailMode; envs: ReadonlySet<string> }> = [{ mode: g.mode, envs: selected }];
    if (g.rollout && g.mode === "enforce") {
      let reached: Set<string>;
      try {
        reached = reachedEnvironments(tree, selected, g.rollout);
      } catch (e) {
        problems.push({ code: "compile", message: `guardrail ${g.id}: rollout: ${(e as Error).message}`, guardrailIds: [g.id] });
        continue;
      }
      const rest = new Set([...selected].filter((id) => !reached.has(id)));
      sets = [{ mode: "enforce", envs: reached }];
      if (rest.size > 0) sets = reached.size > 0 ? [...sets, { mode: "audit", envs: rest }] : [{ mode: "audit", envs: rest }];
    }
    // Exemptions are reported once, with the first set.
    sets.forEach((set, i) => compileSet(control, { ...g, mode: set.mode }, set.envs, i === 0 ? exempt : [], exemptPrincipals));
  }

  function compileSet(
    control: TControl,
    g: DesiredGuardrail,
    selected: ReadonlySet<string>,
    exempt: string[],
    exemptPrincipals: readonly string[],
  ): void {
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
        exemptPrincipals,
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

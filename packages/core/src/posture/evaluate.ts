/**
 * Proof of existing coverage (issue 19): a catalog control's scenarios run against the customer's own
 * policies at one node, with the evaluators the catalog's proofs use (catalog/scenarios.ts): the IAM
 * policy simulator for AWS, azure-eval's rule evaluation, the GCP impact evaluator (deny rules, org
 * policies, CEL) and the OCI impact evaluator (deny statements, security zones). A control is
 * `enforced` only if every scenario of the cloud comes out as the control expects.
 */
import type { TIamPolicyDocument } from "@parapet/providers/aws/types";
import { buildContext, compileControl, parseParams } from "../catalog/compile.ts";
import { SCENARIO_GUARDRAIL, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { azureRefusals } from "../catalog/azure-eval.ts";
import { awsActor, simulateAws } from "../catalog/scenarios.ts";
import { scenariosOf, type TCloud, type TControl, type TGcpFragment, type TOciFragment } from "../catalog/types.ts";
import { gcpConstraintModelled, gcpImpact } from "../impact/gcp.ts";
import { gcpScenarioEvent } from "../impact/gcp-scenario.ts";
import { evaluateGcpCondition } from "../impact/gcp-cel.ts";
import { judgeOciScenario } from "../impact/oci-scenarios.ts";
import type { TEffectiveForeignByCloud } from "./effective.ts";

/** `enforced` every scenario holds; `partial` some do not; `none` nothing of the control is enforced; `not-applicable` no scenario can be run against policies on this cloud. */
type TPostureStatus = "enforced" | "partial" | "none" | "not-applicable";

interface TPostureScenario {
  name: string;
  expected: string;
  actual: string;
  passed: boolean;
  /** Foreign policies that decided a denial. */
  by: string[];
  detail?: string;
}

export interface TPostureVerdict {
  controlId: string;
  cloud: TCloud;
  status: TPostureStatus;
  /** Names of the customer's policies that enforce what holds. */
  enforcedBy: string[];
  /** The scenarios that did not come out as the control expects. */
  failing: Array<{ name: string; expected: string; actual: string; detail?: string }>;
  scenarios: TPostureScenario[];
}

interface TPostureInput<C extends TCloud> {
  control: TControl;
  cloud: C;
  effective: TEffectiveForeignByCloud[C];
  /** The connection's raw principal classes and facts for this cloud (as compile takes them). */
  principals: unknown;
  facts: unknown;
  /** Guardrail params; the control's defaults when absent. */
  params?: unknown;
}

function ctxOf<C extends TCloud>(cloud: C, principals: unknown, facts: unknown) {
  return buildContext({
    cloud,
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    principals,
    facts,
    params: undefined,
  });
}

const uniq = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Runs the control's scenarios of `cloud` against the customer's effective policies at one node. */
export async function evaluatePosture<C extends TCloud>(input: TPostureInput<C>): Promise<TPostureVerdict> {
  const { control, cloud } = input;
  const parsed = parseParams(control, input.params ?? {});
  const scenarios = scenariosOf(control, parsed).filter((s) => s.cloud === cloud && s.kind !== "structure");
  const out: TPostureScenario[] = [];
  const push = (name: string, expected: string, actual: string, by: string[], detail?: string) =>
    out.push({ name, expected, actual, passed: expected === actual, by, ...(detail ? { detail } : {}) });

  for (const s of scenarios) {
    try {
      if (s.kind === "aws-simulate") {
        const eff = input.effective as TEffectiveForeignByCloud["aws"];
        const ctx = ctxOf("aws", input.principals, input.facts);
        if (s.actor === "admin" && !ctx.principals.admins.tag && ctx.principals.admins.roleArnPatterns.length === 0) continue;
        const inScope = s.inScope !== false;
        const none: TIamPolicyDocument[] = [];
        const r = await simulateAws({
          actor: awsActor(s.actor, ctx.principals, ctx.facts.orgId),
          action: s.action,
          resource: s.resource,
          scps: none,
          rcps: none,
          // A scenario outside the guardrail's scope says nothing about this node's policies.
          ...(inScope && eff.scpLevels ? { scpLevels: eff.scpLevels } : {}),
          ...(inScope && eff.rcpLevels.length ? { rcpLevels: eff.rcpLevels } : {}),
          ...(s.context ? { context: s.context } : {}),
          ...(s.openResourcePolicy ? { openResourcePolicy: true } : {}),
          ...(s.bucketAbac ? { bucketAbac: true } : {}),
        });
        if (!inScope) continue;
        // A customer's allow-list SCP denies implicitly: for posture any denial counts as a denial.
        const actual = r.decision;
        const by = r.deniedByPolicy.length ? r.deniedByPolicy : actual === "denied" ? ["(no SCP layer allows it)"] : [];
        push(s.name, s.expect, actual, actual === "denied" ? by : [], actual !== s.expect ? `${s.actor} ${s.action}: ${r.raw}` : undefined);
      } else if (s.kind === "azure-policy") {
        const eff = input.effective as TEffectiveForeignByCloud["azure"];
        const refused = azureRefusals(
          { cloud: "azure", guardrailId: "foreign", enforcementMode: "Default", policies: eff.parts.map((p) => p.part) },
          { action: s.action, resource: s.resource, ...(s.resourceGroupTags ? { resourceGroupTags: s.resourceGroupTags } : {}) },
        );
        const by = uniq(eff.parts.filter((p) => refused.includes(p.part.referenceId)).map((p) => p.policyName));
        const actual = refused.length > 0 ? "denied" : "allowed";
        push(
          s.name,
          s.expect,
          actual,
          by,
          actual !== s.expect ? (by.length ? `refused by ${by.join(", ")}` : "no assignment refuses it") : undefined,
        );
      } else if (s.kind === "gcp-request" || s.kind === "gcp-cel") {
        const eff = input.effective as TEffectiveForeignByCloud["gcp"];
        const ctx = ctxOf("gcp", input.principals, input.facts);
        const fragment: TGcpFragment = {
          cloud: "gcp",
          guardrailId: "foreign",
          dryRun: false,
          attachDenyRules: true,
          // A constraint the evaluator does not model (e.g. iam.disableServiceAccountKeyCreation) governs
          // requests it cannot name; it is left out rather than making every request unjudgeable.
          orgPolicies: eff.orgPolicies
            .filter((p) => gcpConstraintModelled(p.constraint))
            .map((p) => ({ constraint: p.constraint, rules: p.rules })),
          customConstraints: eff.customConstraints,
          denyRules: eff.denyRules.map((d) => ({ description: d.policyName, denyRule: d.rule })),
        };
        if (s.kind === "gcp-request") {
          const req = gcpScenarioEvent(s, ctx);
          if (!req) continue;
          const v = await gcpImpact.prepare({ fragment, ctx }).judge(req.event, req.facts);
          const by = v.verdict === "denied" ? [byGcp(v.by, eff)] : [];
          const actual = v.verdict === "unjudgeable" ? `unjudgeable (${v.reason})` : v.verdict;
          push(s.name, s.expect, actual, by, v.verdict === "unjudgeable" ? v.detail : undefined);
        } else {
          // A CEL scenario names Parapet's own constraint; the customer's equivalent is any enforced custom
          // constraint of theirs on the same resource type, so the resource is judged by all of those.
          const compiled = compileControl(control, {
            cloud: "gcp",
            mode: "enforce",
            workspaceId: SCENARIO_WORKSPACE_ID,
            guardrail: SCENARIO_GUARDRAIL,
            params: input.params ?? {},
            principals: input.principals,
            facts: input.facts,
          }).fragment;
          const mine = compiled.customConstraints.find((c) => c.name.endsWith(s.constraint));
          const types = new Set(mine?.resourceTypes ?? []);
          const by: string[] = [];
          for (const p of eff.orgPolicies) {
            if (!p.constraint.startsWith("custom.") || !p.rules.some((r) => r.enforce === true)) continue;
            const cc = eff.customConstraints.find((c) => c.name.endsWith(`/${p.constraint}`));
            if (!cc || !cc.resourceTypes.some((t) => types.has(t))) continue;
            const m = evaluateGcpCondition(cc.condition, s.resource);
            if (cc.actionType === "DENY" ? m : !m) by.push(p.policyName);
          }
          push(s.name, s.expect, by.length ? "denied" : "allowed", uniq(by));
        }
      } else if (s.kind === "oci-request") {
        const eff = input.effective as TEffectiveForeignByCloud["oci"];
        const ctx = ctxOf("oci", input.principals, input.facts);
        const fragment: TOciFragment = {
          cloud: "oci",
          guardrailId: "foreign",
          attach: true,
          statements: eff.statements.filter((x) => /^deny\s/i.test(x.part.head)).map((x) => x.part),
          securityZonePolicies: uniq(eff.zonePolicies.map((z) => z.policy)),
        };
        const v = await judgeOciScenario({ fragment, ctx }, s);
        const actual = v.verdict === "unjudgeable" ? `unjudgeable (${v.reason})` : v.verdict;
        const by = v.verdict === "denied" ? [byOci(v.by, eff)] : [];
        push(s.name, s.expect, actual, by, v.verdict === "unjudgeable" ? v.detail : undefined);
      }
    } catch (e) {
      push(s.name, s.kind === "structure" ? "holds" : s.expect, "error", [], (e as Error).message);
    }
  }

  const failing = out
    .filter((r) => !r.passed)
    .map((r) => ({ name: r.name, expected: r.expected, actual: r.actual, ...(r.detail ? { detail: r.detail } : {}) }));
  const deniesHeld = out.filter((r) => r.expected === "denied" && r.passed);
  const status: TPostureStatus =
    out.length === 0 || !out.some((r) => r.expected === "denied")
      ? "not-applicable"
      : failing.length === 0
        ? "enforced"
        : deniesHeld.length > 0
          ? "partial"
          : "none";
  return {
    controlId: control.id,
    cloud,
    status,
    enforcedBy: uniq(deniesHeld.flatMap((r) => r.by)),
    failing,
    scenarios: out,
  };
}

function byGcp(by: string, eff: TEffectiveForeignByCloud["gcp"]): string {
  const deny = /^deny rule \d+: (.*)$/.exec(by);
  if (deny) return deny[1]!;
  const org = /^org policy (.*)$/.exec(by);
  if (org) return eff.orgPolicies.find((p) => p.constraint === org[1])?.policyName ?? by;
  return by;
}

function byOci(by: string, eff: TEffectiveForeignByCloud["oci"]): string {
  const zone = /^security zone: (.*)$/.exec(by);
  if (zone) return eff.zonePolicies.find((z) => z.policy === zone[1])?.zoneName ?? by;
  // The evaluator renders the statement for the call's compartment; match on the head and condition.
  const hit = eff.statements.find((s) => by.startsWith(s.part.head) && (!s.part.where || by.endsWith(s.part.where)));
  return hit?.policyName ?? by;
}

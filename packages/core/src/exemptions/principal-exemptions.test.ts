import type { AuditEvent } from "@parapet/providers/contract";
import type { TAwsOrgPolicy } from "@parapet/providers/aws/types";
import { describe, expect, it } from "vitest";
import { getControl } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import type { TCloud } from "../catalog/types.ts";
import { awsImpact } from "../impact/aws.ts";
import { computeDesiredState, type DesiredInput } from "../reconcile/desired-state.ts";
import { exemptableAuditPrincipal, exemptPrincipalProblem } from "./exempt-principal.ts";

const ACCOUNT = "222233334444";
const BOT = `arn:aws:iam::${ACCOUNT}:role/release-bot`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/agent-runner`;

function compile<C extends TCloud>(cloud: C, controlId: string, exemptPrincipals: string[] = []) {
  const input = {
    cloud,
    mode: "enforce" as const,
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: undefined,
    principals: SCENARIO_PRINCIPALS[cloud],
    facts: SCENARIO_FACTS[cloud],
    exemptPrincipals,
  };
  return { fragment: compileControl(getControl(controlId)!, input).fragment, ctx: buildContext(input) };
}

function agentDelete(principal: string): AuditEvent {
  return {
    cloud: "aws",
    id: "e1",
    time: "2026-12-01T10:00:00.000Z",
    principal: { id: principal, type: "role", account: ACCOUNT },
    action: "s3:DeleteObject",
    resource: "arn:aws:s3:::prod-data/report.csv",
    nodeExternalId: ACCOUNT,
    region: "eu-west-1",
    plane: "data",
    outcome: "success",
    context: {
      "aws:RequestedRegion": "eu-west-1",
      "aws:PrincipalArn": principal,
      "aws:PrincipalAccount": ACCOUNT,
      "aws:PrincipalIsAWSService": "false",
      "aws:ViaAWSService": "false",
      "aws:ResourceAccount": ACCOUNT,
      "aws:PrincipalTag/agent": "true",
    },
    request: { bucketName: "prod-data", key: "report.csv" },
  };
}

describe("which principals an exemption may name", () => {
  it.each([
    ["aws", BOT],
    ["aws", "arn:aws:iam::123456789012:role/ci/deployer"],
    ["aws", "arn:aws:iam::123456789012:user/alice"],
    ["gcp", "principal://iam.googleapis.com/projects/-/serviceAccounts/bot@p.iam.gserviceaccount.com"],
    ["gcp", "principal://goog/subject/alice@example.com"],
    ["oci", "ocid1.user.oc1..aaaaaaaaalice"],
    ["oci", "ocid1.instance.oc1.eu-frankfurt-1.anthisinstance"],
  ] as const)("%s %s: one identity, accepted", (cloud, id) => {
    expect(exemptPrincipalProblem(cloud, id)).toBeNull();
  });

  it.each([
    ["aws", "arn:aws:iam::*:role/release-bot", "principal.id"],
    ["aws", "arn:aws:iam::222233334444:role/*", "principal.id"],
    ["aws", "arn:aws:iam::222233334444:role/bot?", "principal.id"],
    ["aws", "arn:aws:sts::222233334444:assumed-role/bot/session", "principal.id"],
    ["gcp", "principalSet://goog/group/everyone@example.com", "principal.id"],
    ["gcp", "serviceAccount:bot@p.iam.gserviceaccount.com", "principal.id"],
    ["oci", "ocid1.group.oc1..aaaaaaaaadmins", "principal.id"],
    ["oci", "ocid1.dynamicgroup.oc1..aaaaaaaaagents", "principal.id"],
    ["azure", "11111111-1111-4111-8111-111111111111", "principal.cloud"],
  ] as const)("%s %s: many identities or no way to spare it, refused on %s", (cloud, id, field) => {
    expect(exemptPrincipalProblem(cloud, id)?.field).toBe(field);
  });

  it("derives the exemptable identifier from the principal a replay names", () => {
    expect(exemptableAuditPrincipal("aws", BOT)).toBe(BOT);
    expect(exemptableAuditPrincipal("gcp", "serviceAccount:bot@p.iam.gserviceaccount.com")).toBe(
      "principal://iam.googleapis.com/projects/-/serviceAccounts/bot@p.iam.gserviceaccount.com",
    );
    expect(exemptableAuditPrincipal("gcp", "user:alice@example.com")).toBe("principal://goog/subject/alice@example.com");
    expect(exemptableAuditPrincipal("gcp", "group:all@example.com")).toBeNull();
    expect(exemptableAuditPrincipal("oci", "ocid1.user.oc1..aaaaaaaaalice")).toBe("ocid1.user.oc1..aaaaaaaaalice");
    expect(exemptableAuditPrincipal("azure", "11111111-1111-4111-8111-111111111111")).toBeNull();
    expect(exemptableAuditPrincipal("aws", "arn:aws:iam::*:role/x")).toBeNull();
  });
});

describe("an exempt principal is spared by the guardrail's own artifacts only", () => {
  it("AWS: the exempt role's delete is allowed, every other agent's is still denied", async () => {
    const facts = new Map();
    const plain = compile("aws", "agent-no-destructive-actions");
    const exempt = compile("aws", "agent-no-destructive-actions", [BOT]);
    expect((await awsImpact.prepare(plain).judge(agentDelete(BOT), facts)).verdict).toBe("denied");
    expect((await awsImpact.prepare(exempt).judge(agentDelete(BOT), facts)).verdict).toBe("allowed");
    expect((await awsImpact.prepare(exempt).judge(agentDelete(OTHER), facts)).verdict).toBe("denied");
  });

  it("GCP: every deny rule excepts the principal", () => {
    const id = "principal://iam.googleapis.com/projects/-/serviceAccounts/bot@p.iam.gserviceaccount.com";
    const { fragment } = compile("gcp", "agent-no-destructive-actions", [id]);
    expect(fragment.denyRules.length).toBeGreaterThan(0);
    for (const r of fragment.denyRules) expect(r.denyRule.exceptionPrincipals).toContain(id);
    for (const r of compile("gcp", "agent-no-destructive-actions").fragment.denyRules)
      expect(r.denyRule.exceptionPrincipals).not.toContain(id);
  });

  it("OCI: tenancy-wide denies except the principal's OCID", () => {
    const id = "ocid1.user.oc1..aaaaaaaaalice";
    const { fragment } = compile("oci", "audit-logging-locked", [id]);
    expect(fragment.statements.length).toBeGreaterThan(0);
    for (const s of fragment.statements.filter((x) => x.head.startsWith("deny any-user")))
      expect(s.where).toContain(`request.principal.id != '${id}'`);
  });

  it("the desired state gives the exemption to its guardrail and to no other", () => {
    const input: DesiredInput = {
      cloud: "aws",
      workspaceId: "ws_test_1",
      facts: { orgId: "o-abcdefghij", managementAccountId: "999999999999" },
      principals: {},
      nodes: [
        { id: "n-root", externalId: "r-abcd", parentId: null, kind: "root", name: "Root", isEnvironment: false, labels: {} },
        { id: "n-a", externalId: ACCOUNT, parentId: "n-root", kind: "account", name: "a", isEnvironment: true, labels: {} },
      ],
      guardrails: [
        { id: "g-agent", version: 1, controlId: "agent-no-destructive-actions", params: {}, scope: { all: true }, mode: "enforce" },
        { id: "g-audit", version: 1, controlId: "audit-logging-locked", params: {}, scope: { all: true }, mode: "enforce" },
      ],
      exemptions: [{ guardrailId: "g-agent", nodeId: null, principal: BOT }],
    };
    const d = computeDesiredState(input);
    expect(d.problems).toEqual([]);
    const statements = d.artifacts
      .filter((a) => a.kind === "aws.scp")
      .flatMap((a) => JSON.parse((a.body as TAwsOrgPolicy).content) as { Statement: Array<{ Sid: string; Condition?: unknown }> })
      .flatMap((p) => p.Statement);
    const mentions = (s: { Condition?: unknown }) => JSON.stringify(s.Condition ?? {}).includes(BOT);
    const ofAgent = statements.filter((s) => s.Sid.toLowerCase().includes("agent"));
    expect(ofAgent.length).toBeGreaterThan(0);
    expect(ofAgent.every(mentions)).toBe(true);
    expect(statements.filter((s) => !ofAgent.includes(s)).some(mentions)).toBe(false);
    // A principal exemption spares one identity, not an environment: coverage stays enforced everywhere.
    expect(d.coverage.every((c) => c.status === "enforced")).toBe(true);
  });
});

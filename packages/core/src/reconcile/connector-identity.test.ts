import { describe, expect, it } from "vitest";
import { listControls } from "../catalog/catalog.ts";
import { compileControl } from "../catalog/compile.ts";
import { SCENARIO_AWS_ACCOUNT, SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { simulateAws } from "../catalog/scenarios.ts";
import { arnLike, withConnectorIdentity } from "./connector-identity.ts";

const user = "ocid1.user.oc1..aaaaaaaaconnectoruser";

describe("withConnectorIdentity", () => {
  it("names the OCI user Parapet signs in as when the connector class names no OCID", () => {
    expect(withConnectorIdentity("oci", {}, { userId: user })).toEqual({
      connector: { groups: ["ParapetConnector"], principalIds: [user] },
    });
    expect(withConnectorIdentity("oci", { connector: { groups: ["Mine"] } }, { userId: user })).toEqual({
      connector: { groups: ["Mine"], principalIds: [user] },
    });
  });

  it("leaves OCIDs the customer gave, other clouds and unusable credentials alone", () => {
    const given = { connector: { groupIds: ["ocid1.group.oc1..aaaaaaaagroup"] } };
    expect(withConnectorIdentity("oci", given, { userId: user })).toBe(given);
    expect(withConnectorIdentity("azure", {}, { userId: user })).toEqual({});
    expect(withConnectorIdentity("aws", {}, { userId: user })).toEqual({});
    expect(withConnectorIdentity("oci", {}, { userId: "not-an-ocid" })).toEqual({});
    expect(withConnectorIdentity("oci", {}, null)).toEqual({});
  });
});

describe("withConnectorIdentity on AWS", () => {
  const assume = (roleArn: string) => ({ kind: "assume-role", roleArn, externalId: "ext-123" });

  it("adds the connector role Parapet assumes when no pattern spares it", () => {
    const arn = "arn:aws:iam::111122223333:role/security/parapet-prod";
    expect(withConnectorIdentity("aws", {}, assume(arn))).toEqual({
      connector: { roleArnPatterns: ["arn:aws:iam::*:role/ParapetConnector", arn] },
    });
    const mine = { agents: { roleArnPatterns: [] }, connector: { roleArnPatterns: ["arn:aws:iam::*:role/Automation*"] } };
    expect(withConnectorIdentity("aws", mine, assume(arn))).toEqual({
      agents: { roleArnPatterns: [] },
      connector: { roleArnPatterns: ["arn:aws:iam::*:role/Automation*", arn] },
    });
  });

  it("changes nothing when a pattern already spares the role, or there is no role", () => {
    const given = { connector: { roleArnPatterns: ["arn:aws:iam::*:role/ParapetConnector"] } };
    expect(withConnectorIdentity("aws", given, assume("arn:aws:iam::111122223333:role/ParapetConnector"))).toBe(given);
    const empty = {};
    expect(withConnectorIdentity("aws", empty, assume("arn:aws:iam::111122223333:role/ParapetConnector"))).toBe(empty);
    expect(withConnectorIdentity("aws", empty, { kind: "access-keys", accessKeyId: "AKIAEXAMPLE000000001" })).toBe(empty);
    expect(withConnectorIdentity("aws", empty, assume("not-an-arn"))).toBe(empty);
    const full = { connector: { roleArnPatterns: Array.from({ length: 20 }, (_, i) => `arn:aws:iam::*:role/R${i}`) } };
    expect(withConnectorIdentity("aws", full, assume("arn:aws:iam::111122223333:role/Other"))).toBe(full);
  });

  it("matches like IAM's ArnLike", () => {
    expect(arnLike("arn:aws:iam::*:role/Parapet?onnector", "arn:aws:iam::111122223333:role/ParapetConnector")).toBe(true);
    expect(arnLike("arn:aws:iam::*:role/ParapetConnector", "arn:aws:iam::111122223333:role/ParapetConnectorX")).toBe(false);
    expect(arnLike("arn:aws:iam::*:role/a.b", "arn:aws:iam::111122223333:role/aXb")).toBe(false);
  });
});

describe("a connector role with its own name is not locked out by the compiled SCPs", () => {
  it("agent-no-destructive-actions spares the role Parapet assumes only once its ARN joins the connector class", async () => {
    const roleArn = `arn:aws:iam::${SCENARIO_AWS_ACCOUNT}:role/security/parapet-prod`;
    const control = listControls().find((c) => c.id === "agent-no-destructive-actions")!;
    const scpFor = (principals: Record<string, unknown>) => {
      const f = compileControl(control, {
        cloud: "aws",
        mode: "enforce",
        workspaceId: SCENARIO_WORKSPACE_ID,
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals,
        facts: SCENARIO_FACTS.aws,
      }).fragment;
      if (f.cloud !== "aws") throw new Error("aws fragment expected");
      return f.statements.filter((s) => s.policyType === "SCP").map((s) => ({ Version: "2012-10-17" as const, Statement: [s.statement] }));
    };
    // The connector role is tagged like an agent on purpose: only the exemption may let it through.
    const actor = { arn: roleArn, account: SCENARIO_AWS_ACCOUNT, orgId: SCENARIO_FACTS.aws.orgId, tags: { agent: "true" } };
    const ask = (principals: Record<string, unknown>) =>
      simulateAws({
        actor,
        action: "s3:DeleteBucket",
        resource: "*",
        scps: scpFor(principals),
        rcps: [],
        context: { "aws:PrincipalTag/agent": "true" },
        openResourcePolicy: true,
      });
    expect((await ask({})).raw).toBe("ExplicitlyDenied");
    expect((await ask(withConnectorIdentity("aws", {}, { kind: "assume-role", roleArn, externalId: "ext-123" }))).decision).toBe("allowed");
  });
});

import type { AuditEvent } from "@parapet/providers/contract";
import { describe, expect, it } from "vitest";
import { getControl } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { awsImpact } from "./aws.ts";

const MEMBER = "222233334444";
const MGMT = SCENARIO_FACTS.aws.managementAccountId;

function prepared(controlId: string) {
  const control = getControl(controlId)!;
  const input = {
    cloud: "aws" as const,
    mode: "enforce" as const,
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: undefined,
    principals: {},
    facts: SCENARIO_FACTS.aws,
  };
  return awsImpact.prepare({ fragment: compileControl(control, input).fragment, ctx: buildContext(input) });
}

function event(over: Partial<AuditEvent> & { role?: string; account?: string } = {}): AuditEvent {
  const account = over.account ?? MEMBER;
  const id = `arn:aws:iam::${account}:role/${over.role ?? "agent-runner"}`;
  return {
    cloud: "aws",
    id: "e1",
    time: "2026-12-01T10:00:00.000Z",
    principal: { id, type: "role", account },
    action: "s3:DeleteObject",
    resource: "arn:aws:s3:::prod-data/report.csv",
    nodeExternalId: account,
    region: "eu-west-1",
    plane: "data",
    outcome: "success",
    context: {
      "aws:RequestedRegion": "eu-west-1",
      "aws:PrincipalArn": id,
      "aws:PrincipalAccount": account,
      "aws:PrincipalIsAWSService": "false",
      "aws:ViaAWSService": "false",
      "aws:ResourceAccount": account,
    },
    request: { bucketName: "prod-data", key: "report.csv" },
    ...over,
  };
}

const agentFacts = (id: string) => new Map([[id, { id, found: true, tags: { agent: "true" } }]]);

describe("awsImpact", () => {
  const p = prepared("agent-no-destructive-actions");

  it("asks for the principal's tags when a statement tests aws:PrincipalTag, and cannot judge without them", async () => {
    const e = event();
    expect(p.principalsNeedingFacts(e)).toEqual([e.principal.id]);
    expect(await p.judge(e, new Map())).toEqual({ verdict: "unjudgeable", reason: "missing-context", detail: "aws:PrincipalTag/agent" });
    const v = await p.judge(e, agentFacts(e.principal.id));
    expect(v.verdict).toBe("denied");
    // A principal without the tag (facts found, no tag) is judged allowed.
    expect(await p.judge(e, new Map([[e.principal.id, { id: e.principal.id, found: true, tags: {} }]]))).toEqual({ verdict: "allowed" });
  });

  it("uses session tags the log carried instead of asking", async () => {
    const e = event({ principal: { id: `arn:aws:iam::${MEMBER}:role/x`, type: "role", account: MEMBER, tags: { agent: "true" } } });
    expect(p.principalsNeedingFacts(e)).toEqual([]);
    expect((await p.judge(e, new Map())).verdict).toBe("denied");
  });

  it("never applies SCPs to the management account, service-linked roles or service principals", async () => {
    const mgmt = event({ account: MGMT });
    expect(await p.judge(mgmt, agentFacts(mgmt.principal.id))).toEqual({ verdict: "allowed" });
    const slr = event({ role: "aws-service-role/backup.amazonaws.com/AWSServiceRoleForBackup" });
    expect(await p.judge(slr, agentFacts(slr.principal.id))).toEqual({ verdict: "allowed" });
    const svc = event({ principal: { id: "backup.amazonaws.com", type: "service" } });
    expect(await p.judge(svc, new Map())).toEqual({ verdict: "allowed" });
  });

  it("dedups S3 object keys when no statement names resources, but not principals or actions", () => {
    expect(p.dedupKey(event())).toBe(
      p.dedupKey(event({ id: "e2", resource: "arn:aws:s3:::prod-data/other.csv", request: { bucketName: "prod-data", key: "other.csv" } })),
    );
    expect(p.dedupKey(event())).not.toBe(p.dedupKey(event({ role: "Developer" })));
    expect(p.dedupKey(event())).not.toBe(p.dedupKey(event({ action: "s3:GetObject" })));
  });

  it("applies RCPs only to the services that support them", async () => {
    const rcp = prepared("no-public-data");
    const outsider = (action: string, resource: string): AuditEvent => ({
      ...event({ action, resource, request: {} }),
      principal: { id: "999988887777:AIDAOTHER", type: "unknown", account: "999988887777" },
      context: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalAccount": "999988887777", "aws:ResourceAccount": MEMBER },
      nodeExternalId: MEMBER,
    });
    // EC2 is not an RCP service: the organisation's RCPs cannot deny an outsider there.
    expect(await rcp.judge(outsider("ec2:DescribeInstances", ""), new Map())).toEqual({ verdict: "allowed" });
    // S3 is: the perimeter tests the caller's organisation, which the log does not name.
    expect(await rcp.judge(outsider("s3:GetObject", "arn:aws:s3:::prod-data/a"), new Map())).toMatchObject({
      verdict: "unjudgeable",
      reason: "missing-context",
    });
  });

  it("judges many distinct requests (throughput printed, not asserted)", async () => {
    const fresh = prepared("agent-no-destructive-actions");
    const actions = ["s3:DeleteObject", "s3:GetObject", "kms:ScheduleKeyDeletion", "ec2:DescribeInstances", "rds:DeleteDBSnapshot"];
    const n = 500;
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const e = event({ role: `role-${i}`, action: actions[i % actions.length]! });
      await fresh.judge(e, agentFacts(e.principal.id));
    }
    const distinctMs = performance.now() - started;
    const repeatStarted = performance.now();
    for (let i = 0; i < n * 20; i++) {
      const e = event({ id: `r${i}`, role: `role-${i % n}`, action: actions[(i % n) % actions.length]! });
      await fresh.judge(e, agentFacts(e.principal.id));
    }
    const repeatMs = performance.now() - repeatStarted;
    console.log(
      `awsImpact: ${n} distinct requests in ${distinctMs.toFixed(0)} ms (${((n / distinctMs) * 1000).toFixed(0)}/s); ` +
        `${n * 20} repeated in ${repeatMs.toFixed(0)} ms (${(((n * 20) / repeatMs) * 1000).toFixed(0)}/s)`,
    );
  });
});

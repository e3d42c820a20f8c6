/**
 * Every `aws-simulate` scenario of the catalog, rendered as the CloudTrail record AWS would log,
 * parsed by the providers' parser and judged by the impact evaluator against the same compiled
 * fragment the scenario proves: it must replay to the scenario's expected outcome, or come out
 * unjudgeable with a reason (listed exactly below).
 */
import { describe, expect, it } from "vitest";
import { parseCloudTrailRecord } from "@parapet/providers/aws/audit-records";
import { listControls } from "../catalog/catalog.ts";
import { buildContext, compileControl, parseParams } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { scenariosOf } from "../catalog/types.ts";
import { renderAwsScenario } from "../testing/aws-cloudtrail.ts";
import { awsImpact } from "./aws.ts";

const IN_SCOPE = new Set(["222233334444"]);

function target(control: ReturnType<typeof listControls>[number], principals: unknown = SCENARIO_PRINCIPALS.aws) {
  const input = {
    cloud: "aws" as const,
    mode: "enforce" as const,
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: undefined,
    principals,
    facts: SCENARIO_FACTS.aws,
  };
  const fragment = compileControl(control, input).fragment;
  return { fragment, ctx: buildContext(input) };
}

/**
 * Scenarios whose deciding context a CloudTrail record does not carry: the organisation of an outside
 * principal (aws:PrincipalOrgID), a resource's tags (aws:ResourceTag), an outside principal's tags, and
 * RunInstances' per-volume encryption (logged inside the block device mapping, not as ec2:Encrypted).
 */
const EXPECTED_UNJUDGEABLE = [
  "no-public-data: an anonymous read of a prod object is denied by the RCP → missing-context:aws:PrincipalOrgID",
  "no-public-data: an outside role named like break-glass reading a prod object is denied → missing-context:aws:PrincipalOrgID",
  "no-public-data: an outside role named like the connector listing a prod bucket is denied → missing-context:aws:PrincipalOrgID",
  "regulated-data-perimeter: a principal from another organisation reading regulated data is denied → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: a principal of this organisation may read → missing-context:aws:ResourceTag/data",
  "regulated-data-perimeter: an agent of this organisation may read → missing-context:aws:ResourceTag/data",
  "regulated-data-perimeter: an outside caller listing the bucket is denied even with an open bucket policy → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: the connector is never denied → missing-context:aws:ResourceTag/data",
  "regulated-data-perimeter: an outside role named like break-glass reading regulated data is denied → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: an outside role named like the connector decrypting with a regulated key is denied → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: an unlabelled object is outside the perimeter → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: a tagged bucket without ABAC enabled is outside the perimeter (AWS ignores its tags) → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: an untagged role keeps its cross-organisation trust (third-party integration) → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: a labelled role cannot be assumed from another organisation → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "regulated-data-perimeter: a labelled DynamoDB table is fenced → missing-context:aws:PrincipalOrgID, aws:ResourceTag/data",
  "nonprod-no-prod-secrets: an outside non-prod role named like break-glass reading a prod secret is denied → missing-context:aws:PrincipalOrgID, aws:PrincipalTag/env",
  "nonprod-no-prod-secrets: an outside non-prod role named like the connector decrypting with a prod key is denied → missing-context:aws:PrincipalOrgID, aws:PrincipalTag/env",
  "require-encryption: launching an instance with an unencrypted volume is denied → missing-context:ec2:Encrypted",
  "require-encryption: launching an instance with encrypted volumes is allowed → missing-context:ec2:Encrypted",
];

interface TRow {
  name: string;
  expected: string;
  got: string;
}

describe("catalog replay (AWS)", () => {
  it("replays every aws-simulate scenario as a CloudTrail record to its expected outcome", async () => {
    const rows: TRow[] = [];
    for (const control of listControls()) {
      const scenarios = scenariosOf(control, parseParams(control, undefined)).filter((s) => s.kind === "aws-simulate");
      if (scenarios.length === 0) continue;
      const t = target(control);
      const prepared = awsImpact.prepare(t);
      const sids = new Set(t.fragment.statements.map((s) => s.statement.Sid));
      for (const s of scenarios) {
        if (s.kind !== "aws-simulate") continue;
        const name = `${control.id}: ${s.name}`;
        if (s.actor === "admin" && t.ctx.principals.admins.roleArnPatterns.length === 0 && !t.ctx.principals.admins.tag) {
          rows.push({ name, expected: s.expect, got: "no-admins-class" });
          continue;
        }
        const { record, facts } = renderAwsScenario(s, t.ctx.principals, t.ctx.facts.orgId);
        const parsed = parseCloudTrailRecord(JSON.parse(JSON.stringify(record)));
        if (!parsed.ok) throw new Error(`${name}: parser refused the record: ${parsed.reason}`);
        const e = parsed.event;
        // The replay service judges only events of the nodes the guardrail targets.
        if (!IN_SCOPE.has(e.nodeExternalId ?? "")) {
          rows.push({ name, expected: s.expect, got: "allowed" });
          continue;
        }
        const needed = prepared.principalsNeedingFacts(e);
        const given = new Map([...facts].filter(([id]) => needed.includes(id)));
        const v = await prepared.judge(e, given);
        if (v.verdict === "denied") {
          for (const sid of v.by.split(", "))
            expect(sids.has(sid), `${name}: denied by ${sid}, not a statement of the fragment`).toBe(true);
        }
        rows.push({ name, expected: s.expect, got: v.verdict === "unjudgeable" ? `unjudgeable:${v.reason}:${v.detail ?? ""}` : v.verdict });
        // A verdict is the same for every event with the same dedup key.
        expect(await prepared.judge({ ...e, id: "another" }, given)).toEqual(v);
      }
    }
    const unjudgeable = rows
      .filter((r) => r.got.startsWith("unjudgeable:"))
      .map((r) => `${r.name} → ${r.got.slice("unjudgeable:".length)}`);
    expect(unjudgeable).toEqual(EXPECTED_UNJUDGEABLE);
    const mismatched = rows.filter((r) => !r.got.startsWith("unjudgeable:") && r.got !== "no-admins-class" && r.got !== r.expected);
    expect(mismatched).toEqual([]);
    // Nothing silently skipped: every scenario is counted (the admins one as in runScenarios, which
    // skips it on a connection without an admins class).
    expect(rows.filter((r) => r.got === "no-admins-class").map((r) => r.name)).toEqual([
      "no-wildcard-admin: an administrator (the connection's admins class) may attach AdministratorAccess",
    ]);
    expect(rows.length).toBeGreaterThanOrEqual(140);
    expect(rows.filter((r) => r.got === r.expected).length).toBe(rows.length - unjudgeable.length - 1);
  });
});

describe("connector and break-glass lockout (AWS)", () => {
  const control = listControls().find((c) => c.id === "audit-logging-locked")!;
  /** The identity the connector really runs as in this organisation. */
  const realConnector = "arn:aws:iam::222233334444:role/parapet-deployer";

  function stopLogging(roleArn: string) {
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const r = parseCloudTrailRecord({
      eventVersion: "1.10",
      userIdentity: {
        type: "AssumedRole",
        principalId: "AROAREALCONNECTOR0001:parapet",
        arn: `arn:aws:sts::222233334444:assumed-role/${roleName}/parapet`,
        accountId: "222233334444",
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: "AROAREALCONNECTOR0001",
            arn: roleArn,
            accountId: "222233334444",
            userName: roleName,
          },
        },
      },
      eventTime: "2026-12-02T08:00:00Z",
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      awsRegion: "eu-west-1",
      sourceIPAddress: "198.51.100.4",
      requestParameters: { name: "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail" },
      responseElements: null,
      eventID: `lockout-${roleName}`,
      readOnly: false,
      resources: [
        { accountId: "222233334444", type: "AWS::CloudTrail::Trail", ARN: "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail" },
      ],
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: "222233334444",
      eventCategory: "Management",
    });
    if (!r.ok) throw new Error(r.reason);
    return r.event;
  }

  it("denies the connector's real identity when the declared connector pattern does not match it", async () => {
    const p = awsImpact.prepare(target(control, { connector: { roleArnPatterns: ["arn:aws:iam::*:role/ParapetConnector"] } }));
    const v = await p.judge(stopLogging(realConnector), new Map());
    expect(v.verdict).toBe("denied");
  });

  it("never denies the connector or break-glass when the classes are declared correctly", async () => {
    const p = awsImpact.prepare(
      target(control, {
        connector: { roleArnPatterns: ["arn:aws:iam::*:role/parapet-deployer"] },
        breakGlass: { roleArnPatterns: ["arn:aws:iam::*:role/BreakGlass*"] },
      }),
    );
    expect(await p.judge(stopLogging(realConnector), new Map())).toEqual({ verdict: "allowed" });
    expect(await p.judge(stopLogging("arn:aws:iam::222233334444:role/BreakGlassAdmin"), new Map())).toEqual({ verdict: "allowed" });
    // …while anyone else stopping the trail is denied by a named statement.
    const other = await p.judge(stopLogging("arn:aws:iam::222233334444:role/Developer"), new Map());
    expect(other.verdict === "denied" && other.by.length > 0).toBe(true);
  });
});

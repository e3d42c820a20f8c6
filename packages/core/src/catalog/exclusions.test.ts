import { describe, expect, it } from "vitest";
import { listControls } from "./catalog.ts";
import { buildContext, compileControl } from "./compile.ts";
import { SCENARIO_AWS_ACCOUNT, SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "./fixtures.ts";
import { awsActor, simulateAws } from "./scenarios.ts";
import { renderOciStatement } from "@parapet/providers/oci/packing";
import type { TCloud, TFragment } from "./types.ts";
import type { TIamStatement } from "@parapet/providers/aws/types";
import { evaluateOciDeny } from "@parapet/cloud-sim/oci/authorize";
import { ociRequestMatching } from "../testing/oci-requests.ts";

/**
 * The safety invariant: no compiled deny may ever apply to the connector or break-glass. Each
 * principal is made as "guilty" as possible — every class tag, an unapproved region, guarded tag
 * keys, admin policy ARNs, unencrypted and public flags, a foreign org id — so only the
 * exclusion itself can be what lets the call through.
 */
const ADVERSARIAL_CONTEXT: Record<string, string | string[]> = {
  "aws:PrincipalTag/agent": "true",
  "aws:PrincipalTag/mcp-server": "true",
  "aws:PrincipalTag/env": "nonprod",
  "aws:RequestedRegion": "ap-southeast-2",
  "aws:TagKeys": ["agent", "data", "env", "mcp-server"],
  "aws:RequestTag/agent": "false",
  "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
  "ec2:Encrypted": "false",
  "rds:StorageEncrypted": "false",
  "elasticfilesystem:Encrypted": "false",
  "rds:PubliclyAccessible": "true",
  "aws:ViaAWSMCPService": "true",
  "aws:CalledViaAWSMCP": "aws-mcp.amazonaws.com",
  "aws:ResourceTag/data": "regulated",
};
// The connector and break-glass keep their own organisation id: they are members, and a role of
// another organisation that merely carries their name must be denied (aws-fidelity.test.ts).

/** A concrete ARN a statement's resource pattern covers (`*` stays `*`). */
function sampleResource(s: TIamStatement): string {
  const r = typeof s.Resource === "string" ? s.Resource : (s.Resource?.[0] ?? "*");
  return r === "*" ? r : r.replace(/^(arn:aws:[a-z0-9-]+):\*:\*:/, `$1:eu-west-1:${SCENARIO_AWS_ACCOUNT}:`).replace(/\*/g, "sample");
}

/** A concrete action a (possibly wildcard) pattern covers, so the simulator can evaluate it. */
const WILDCARD_SAMPLES: Record<string, string> = {
  "*": "s3:DeleteBucket",
  "dynamodb:*": "dynamodb:GetItem",
  "kms:*": "kms:Decrypt",
  "s3:*": "s3:GetObject",
  "secretsmanager:*": "secretsmanager:GetSecretValue",
  "sqs:*": "sqs:SendMessage",
};

function sampleActions(s: TIamStatement): string[] {
  if (s.NotAction) return ["s3:PutObject", "ec2:TerminateInstances"];
  const actions = typeof s.Action === "string" ? [s.Action] : (s.Action ?? []);
  return actions.map((a) => WILDCARD_SAMPLES[a] ?? a).filter((a) => !a.includes("*"));
}

function compile(cloud: TCloud, controlIndex: number): TFragment {
  const c = listControls()[controlIndex]!;
  return compileControl(c, {
    cloud,
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: {},
    principals: SCENARIO_PRINCIPALS[cloud],
    facts: SCENARIO_FACTS[cloud],
  }).fragment;
}

const awsCtx = buildContext({
  cloud: "aws",
  mode: "enforce",
  workspaceId: SCENARIO_WORKSPACE_ID,
  guardrail: SCENARIO_GUARDRAIL,
  params: {},
  principals: {},
  facts: SCENARIO_FACTS.aws,
});

describe("no compiled deny catches the connector or break-glass", () => {
  listControls().forEach((control, i) => {
    it(`${control.id} on AWS (simulated, every action of every statement)`, async () => {
      const f = compile("aws", i);
      if (f.cloud !== "aws") throw new Error("aws fragment expected");
      let checked = 0;
      for (const bound of f.statements) {
        const doc = { Version: "2012-10-17" as const, Statement: [bound.statement] };
        const scps = bound.policyType === "SCP" ? [doc] : [];
        const rcps = bound.policyType === "RCP" ? [doc] : [];
        const actions = sampleActions(bound.statement);
        for (const action of actions) {
          for (const who of ["connector", "break-glass"] as const) {
            const actor = {
              ...awsActor(who, awsCtx.principals, awsCtx.facts.orgId),
              tags: { agent: "true", "mcp-server": "true", env: "nonprod" },
            };
            const r = await simulateAws({
              actor,
              action,
              resource: sampleResource(bound.statement),
              scps,
              rcps,
              context: ADVERSARIAL_CONTEXT,
              openResourcePolicy: true,
              bucketAbac: true,
            });
            expect(r.decision, `${who} ${action} (${bound.statement.Sid})`).toBe("allowed");
            checked++;
          }
        }
        // The same request by a non-exempt principal is denied: the test above is not vacuous.
        const human = {
          arn: `arn:aws:iam::${SCENARIO_AWS_ACCOUNT}:role/Developer`,
          account: SCENARIO_AWS_ACCOUNT,
          orgId: "o-foreignorg01",
          tags: { agent: "true", "mcp-server": "true", env: "nonprod" },
        };
        const first = actions[0]!;
        const sid = bound.statement.Sid ?? "";
        const root = sid.endsWith("RootUser")
          ? { ...human, arn: `arn:aws:iam::${SCENARIO_AWS_ACCOUNT}:root` }
          : sid.endsWith("Outsider")
            ? { ...awsActor("external-break-glass", awsCtx.principals, awsCtx.facts.orgId), tags: human.tags }
            : human;
        const denied = await simulateAws({
          actor: root,
          action: first,
          resource: sampleResource(bound.statement),
          scps,
          rcps,
          context: ADVERSARIAL_CONTEXT,
          openResourcePolicy: true,
          bucketAbac: true,
        });
        expect(denied.raw, `non-exempt ${first} (${bound.statement.Sid})`).toBe("ExplicitlyDenied");
      }
      expect(checked).toBe(f.statements.reduce((n, b) => n + sampleActions(b.statement).length * 2, 0));
    });

    it(`${control.id} on GCP, OCI and Azure (structure)`, () => {
      const gcp = compile("gcp", i);
      if (gcp.cloud !== "gcp") throw new Error("gcp fragment expected");
      const exempt = [...SCENARIO_PRINCIPALS.gcp.connector, ...SCENARIO_PRINCIPALS.gcp.breakGlass];
      for (const r of gcp.denyRules) {
        for (const e of exempt) {
          expect(r.denyRule.exceptionPrincipals).toContain(e);
          expect(r.denyRule.deniedPrincipals).not.toContain(e);
        }
      }
      const oci = compile("oci", i);
      if (oci.cloud !== "oci") throw new Error("oci fragment expected");
      const exemptGroups = [...SCENARIO_PRINCIPALS.oci.connector.groups, ...SCENARIO_PRINCIPALS.oci.breakGlass.groups];
      for (const s of oci.statements) {
        const line = renderOciStatement(s, "tenancy");
        expect(line.startsWith("deny ")).toBe(true);
        for (const g of exemptGroups) expect(s.head).not.toMatch(new RegExp(`\\b${g}\\b`));
        // Evaluated as OCI does, with each exempt user also in every class group the statement names.
        for (const who of ["connector", "breakGlass"] as const) {
          const cls = SCENARIO_PRINCIPALS.oci[who];
          const groups = [
            { id: cls.groupIds[0], name: cls.groups[0] },
            ...[...s.head.matchAll(/^deny group ([^ ]+(?:, [^ ]+)*) to/g)].flatMap((m) =>
              m[1]!.split(", ").map((n) => ({ id: `ocid1.group.oc1..${n.toLowerCase()}`, name: n })),
            ),
          ];
          const d = evaluateOciDeny([line], {
            ...ociRequestMatching(line),
            principal: { id: "ocid1.user.oc1..exempt", type: "user", groups },
          });
          expect(d.denied, `${who}: ${line}`).toBe(false);
        }
      }
      // Azure Policy cannot exclude principals; what it compiles never targets identities either.
      const azure = compile("azure", i);
      expect(JSON.stringify(azure)).not.toMatch(/principal|identity\.|caller/i);
    });
  });

  it("OCI tenancy-wide denies refuse to compile without OCIDs to except", () => {
    const idx = listControls().findIndex((c) => c.id === "backups-undeletable");
    expect(() =>
      compileControl(listControls()[idx]!, {
        cloud: "oci",
        mode: "enforce",
        workspaceId: SCENARIO_WORKSPACE_ID,
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals: {},
        facts: SCENARIO_FACTS.oci,
      }),
    ).toThrow(/OCIDs/);
  });

  it("GCP principals require the connector", () => {
    const idx = listControls().findIndex((c) => c.id === "agent-no-destructive-actions");
    expect(() =>
      compileControl(listControls()[idx]!, {
        cloud: "gcp",
        mode: "enforce",
        workspaceId: "w",
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals: {},
        facts: SCENARIO_FACTS.gcp,
      }),
    ).toThrow(/principals\.gcp\.connector/);
  });
});

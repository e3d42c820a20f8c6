import { describe, expect, it } from "vitest";
import type { ForeignPolicy } from "@parapet/providers/contract";
import { getControl } from "../catalog/catalog.ts";
import { SCENARIO_FACTS } from "../catalog/fixtures.ts";
import { effectiveForeign, type TPostureNodeRef } from "./effective.ts";
import { evaluatePosture } from "./evaluate.ts";

const CHAIN: TPostureNodeRef[] = [
  { externalId: "r-root", name: "Root", kind: "root" },
  { externalId: "ou-prod", name: "Prod", kind: "ou" },
  { externalId: "222233334444", name: "payments-prod", kind: "account" },
];
const FULL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const scp = (name: string, doc: unknown, attachments: string[]): ForeignPolicy => ({
  kind: "aws.scp",
  externalId: `p-${name}`,
  name,
  attachments,
  body: { content: JSON.stringify(doc) },
  size: JSON.stringify(doc).length,
});
const fullAccess = scp("FullAWSAccess", FULL, ["r-root", "ou-prod", "222233334444"]);

async function judge(inventory: ForeignPolicy[], controlId = "deny-leave-organization") {
  return evaluatePosture({
    control: getControl(controlId)!,
    cloud: "aws",
    effective: effectiveForeign("aws", inventory, CHAIN, { managementAccountId: SCENARIO_FACTS.aws.managementAccountId }),
    principals: {},
    facts: SCENARIO_FACTS.aws,
  });
}

describe("AWS posture: the customer's SCPs judged by the catalog's scenarios", () => {
  it("credits an SCP that enforces the control with the break-glass and connector carve-outs", async () => {
    const v = await judge([
      fullAccess,
      scp(
        "DenyLeaveOrg",
        {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Action: "organizations:LeaveOrganization",
              Resource: "*",
              Condition: {
                ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/BreakGlass*", "arn:aws:iam::*:role/ParapetConnector"] },
              },
            },
          ],
        },
        ["r-root"],
      ),
    ]);
    expect(v.status).toBe("enforced");
    expect(v.enforcedBy).toEqual(["DenyLeaveOrg"]);
    expect(v.failing).toEqual([]);
  });

  it("marks a blanket deny partial, naming the break-glass and connector scenarios it fails", async () => {
    const v = await judge([
      fullAccess,
      scp(
        "DenyLeaveOrganization",
        { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }] },
        ["r-root"],
      ),
    ]);
    expect(v.status).toBe("partial");
    expect(v.enforcedBy).toEqual(["DenyLeaveOrganization"]);
    expect(v.failing.map((f) => f.name).sort()).toEqual([
      "break-glass may leave (e.g. planned divestiture)",
      "the connector is never denied",
    ]);
  });

  it("marks a deny with a hole (a condition that admits the agents) partial, naming the agent scenario", async () => {
    const v = await judge([
      fullAccess,
      scp(
        "DenyLeaveExceptAutomation",
        {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Action: "organizations:LeaveOrganization",
              Resource: "*",
              Condition: {
                ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/BreakGlass*", "arn:aws:iam::*:role/ParapetConnector"] },
                StringNotEquals: { "aws:PrincipalTag/agent": "true" },
              },
            },
          ],
        },
        ["ou-prod"],
      ),
    ]);
    expect(v.status).toBe("partial");
    expect(v.failing.map((f) => f.name)).toEqual(["an agent leaving is denied"]);
  });

  it("says none when nothing of the customer's denies it, and nothing applies in the management account", async () => {
    expect((await judge([fullAccess])).status).toBe("none");
    const mgmt = await evaluatePosture({
      control: getControl("deny-leave-organization")!,
      cloud: "aws",
      effective: effectiveForeign(
        "aws",
        [
          fullAccess,
          scp("DenyLeaveOrganization", { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }, ["r-root"]),
        ],
        [CHAIN[0]!, { externalId: SCENARIO_FACTS.aws.managementAccountId, name: "Management", kind: "account" }],
        { managementAccountId: SCENARIO_FACTS.aws.managementAccountId },
      ),
      principals: {},
      facts: SCENARIO_FACTS.aws,
    });
    expect(mgmt.status).toBe("none");
  });

  it("an allow-list SCP layer denies implicitly and is credited by name", async () => {
    const v = await judge([
      scp("FullAWSAccess", FULL, ["r-root", "222233334444"]),
      scp(
        "OnlyReads",
        { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["organizations:Describe*", "s3:*"], Resource: "*" }] },
        ["ou-prod"],
      ),
    ]);
    // Everything but Describe is refused at the Prod layer: leaving is denied, and so are break-glass and the connector.
    expect(v.status).toBe("partial");
    expect(v.enforcedBy).toEqual(["(no SCP layer allows it)"]);
  });
});

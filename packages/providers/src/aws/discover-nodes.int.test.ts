/**
 * Targeted discovery (`discoverNodes`) against the AWS simulator through the real SDK: each node read
 * says what a full sweep would say about it, costs a handful of calls, and an id outside the
 * organization (another organization's account, a deleted OU) reads as null.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_DEMO, seedAwsDemo, seedAwsOrg, startAwsSim, type AwsDemoResult, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { simulatorEgress } from "../egress/index.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createAwsAdapter } from "./adapter.ts";

const CREDS = {
  kind: "assume-role" as const,
  roleArn: AWS_DEMO.role.arn,
  externalId: AWS_DEMO.role.externalId,
  sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
  sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
};

describe("AWS discoverNodes", () => {
  let sim: AwsSim;
  let other: AwsSim;
  let demo: AwsDemoResult;
  let adapter: CloudAdapter;
  beforeAll(async () => {
    [sim, other] = await Promise.all([startAwsSim({ throttle: false }), startAwsSim({ throttle: false })]);
    demo = seedAwsDemo(sim);
    seedAwsOrg(other, { accounts: 5, ous: 2, seed: 99 });
    adapter = createAwsAdapter({
      workspaceId: "ws_nodes",
      egress: simulatorEgress(),
      credentials: CREDS,
      endpoint: sim.url,
      rateLimits: false,
    });
  });
  afterAll(async () => {
    await adapter.close();
    await Promise.all([sim.close(), other.close()]);
  });

  it("reads accounts, OUs and the root as a full sweep records them, in a few calls each", async () => {
    const prod = demo.ouIds["Workloads/Prod"]!;
    const { accountId } = sim.admin.createAccount({ name: "fresh", parentId: prod, tags: { env: "prod", team: "a" } });
    sim.admin.tagResource({ resourceId: prod, tags: { data: "regulated" } });
    const full = new Map((await adapter.discover()).nodes.map((n) => [n.externalId, n]));
    adapter.resetStats();
    const reads = await adapter.discoverNodes!([accountId, prod, demo.rootId, accountId]);
    expect(reads.map((r) => r.externalId)).toEqual([accountId, prod, demo.rootId]);
    for (const r of reads) expect(r.node).toEqual(full.get(r.externalId));
    // Account: DescribeAccount (its path names the parent) + tags; OU: describe + parents + tags; root: list + tags.
    expect(adapter.stats().byOperation).toEqual({
      DescribeAccount: 1,
      DescribeOrganizationalUnit: 1,
      ListParents: 1,
      ListRoots: 1,
      ListTagsForResource: 3,
    });
  });

  it("reads a closed account as a non-environment, as the full sweep does", async () => {
    const { accountId } = sim.admin.createAccount({ name: "closing" });
    sim.sim.asHuman("CloseAccount", { AccountId: accountId });
    const [r] = await adapter.discoverNodes!([accountId]);
    expect(r!.node).toMatchObject({ kind: "account", isEnvironment: false, parentExternalId: demo.rootId });
  });

  it("reads ids outside the organization as null and never as a node", async () => {
    // Both demo organisations are seeded alike, so mint ids the other organization alone holds.
    const foreignAccount = other.admin.createAccount({ name: "theirs" }).accountId;
    const foreignOu = other.admin.createOu({ parentId: other.state.root.id, name: "Theirs" }).ouId;
    expect(sim.state.accounts.has(foreignAccount) || sim.state.ous.has(foreignOu)).toBe(false);
    const ou = sim.admin.createOu({ parentId: demo.rootId, name: "Doomed" }).ouId;
    sim.sim.asHuman("DeleteOrganizationalUnit", { OrganizationalUnitId: ou });
    const reads = await adapter.discoverNodes!([foreignAccount, foreignOu, ou, "r-zzzz", "not-an-id"]);
    expect(reads.filter((r) => r.node !== null)).toEqual([]);
  });
});

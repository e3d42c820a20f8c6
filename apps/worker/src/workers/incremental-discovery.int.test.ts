/**
 * Incremental discovery end to end (AWS simulator through the real SDK, real PostgreSQL): after the first
 * full sweep, the CloudTrail events of random changes to the organization — duplicated, reordered, some
 * dropped — update the node table by targeted reads, and the result equals what a full sweep produces
 * (after a full sweep catches the dropped ones). Events reach core the way the webhook hands them over
 * (parseCloudEvent → recordEventReceipt de-duplication → noteHierarchyChange), after the HMAC check the
 * web route's own test covers. GCP likewise, from the audit entries its simulator pushes to a webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsAdapter } from "@parapet/providers/aws/adapter";
import { ZAwsCredentials } from "@parapet/providers/aws/credentials";
import type { AdapterFactory } from "@parapet/core/reconcile/reconcile-connection";
import { AWS_SIM_DEFAULT_CREDENTIALS, seedAwsOrg, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { mulberry32 } from "@parapet/cloud-sim/common/rng";
import { seedGcpDemo, startGcpSim } from "@parapet/cloud-sim/gcp/index";
import { gcpDemoCredentials, reconcileHarness } from "../testing/reconcile-harness.ts";
import { adapterFor, egress } from "../providers.ts";
import { processReconcile } from "./reconcile.worker.ts";
import { deliverHierarchyEvent, expectSameTree, nodeTreeSnapshot, startEventHook } from "../testing/node-tree.ts";

const h = reconcileHarness();
const { prisma } = h;

// AWS pacing off: the figures here are call counts, not waits. The other clouds as the worker builds them.
const unpaced: AdapterFactory = (req) =>
  req.cloud !== "aws"
    ? adapterFor(req)
    : createAwsAdapter({
        workspaceId: req.workspaceId,
        egress: egress(),
        credentials: ZAwsCredentials.parse(req.credentials),
        ...(req.endpoint ? { endpoint: req.endpoint } : {}),
        facts: req.facts ?? {},
        rateLimits: false,
      });
const deps = (extra: { fullDiscoveryIntervalSec?: number } = {}) => ({ ...h.deps(), adapterFor: unpaced, ...extra });

let sim: AwsSim;
beforeAll(async () => {
  sim = await startAwsSim({ throttle: false });
});
afterAll(async () => {
  await sim.close();
});

async function connect(s: AwsSim) {
  return h.connect({
    cloud: "aws",
    endpoint: s.url,
    credentials: {
      kind: "access-keys",
      accessKeyId: AWS_SIM_DEFAULT_CREDENTIALS.accessKeyId,
      secretAccessKey: AWS_SIM_DEFAULT_CREDENTIALS.secretAccessKey,
    },
    facts: { orgId: s.state.orgId, managementAccountId: s.state.managementAccountId },
  });
}

const run = async (connectionId: string, extra: { discover?: boolean; fullDiscoveryIntervalSec?: number } = {}) => {
  const [r] = await processReconcile(deps({ fullDiscoveryIntervalSec: extra.fullDiscoveryIntervalSec }), {
    connectionId,
    trigger: extra.discover ? "manual" : "event",
    ...(extra.discover ? { discover: true } : {}),
  });
  expect(r!.status, r!.error).toBe("succeeded");
  return r!;
};

/** Random changes a team makes in a day: moves, retags (accounts and OUs), new OUs and accounts, closures, renames, deletions. */
function changeOrganization(s: AwsSim, seed: number, count: number) {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const st = s.state;
  const containers = () => [st.root.id, ...st.ous.keys()];
  const members = () => [...st.accounts.values()].filter((a) => a.id !== st.managementAccountId && a.status !== "SUSPENDED");
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.3) {
      const a = pick(members());
      const dst = pick(containers().filter((c) => c !== a.parentId));
      s.admin.moveAccount({ accountId: a.id, destinationParentId: dst });
    } else if (r < 0.5) {
      s.admin.tagResource({ resourceId: pick(members()).id, tags: { env: pick(["prod", "dev", "staging"]), owner: `team-${i}` } });
    } else if (r < 0.6) {
      s.admin.tagResource({ resourceId: pick([...st.ous.keys()]), tags: { data: pick(["regulated", "public"]) } });
    } else if (r < 0.65) {
      const ou = pick([...st.ous.values()]);
      if (ou.tags.size) s.admin.untagResource({ resourceId: ou.id, keys: [...ou.tags.keys()] });
    } else if (r < 0.75) {
      const parent = pick(containers().filter((c) => (st.ous.get(c)?.depth ?? 0) < 5));
      const { ouId } = s.admin.createOu({ parentId: parent, name: `new-ou-${seed}-${i}`, tags: { env: "dev" } });
      s.admin.createAccount({ name: `in-new-${seed}-${i}`, parentId: ouId, tags: { owner: "newcomer" } });
    } else if (r < 0.85) {
      s.admin.createAccount({ name: `new-${seed}-${i}`, parentId: pick(containers()), tags: { env: "prod" } });
    } else if (r < 0.92) {
      s.sim.asHuman("CloseAccount", { AccountId: pick(members()).id });
    } else if (r < 0.96) {
      const ou = pick([...st.ous.values()]);
      s.sim.asHuman("UpdateOrganizationalUnit", { OrganizationalUnitId: ou.id, Name: `${ou.name}-renamed-${i}` });
    } else {
      // Empty an OU (its accounts move up, as AWS requires), then delete it.
      const ou = [...st.ous.values()].find((o) => o.ous.size === 0);
      if (!ou) continue;
      for (const a of [...ou.accounts]) s.admin.moveAccount({ accountId: a, destinationParentId: ou.parentId });
      s.sim.asHuman("DeleteOrganizationalUnit", { OrganizationalUnitId: ou.id });
    }
  }
}

describe("incremental discovery (AWS)", () => {
  it("converges to the tree a full sweep records, with duplicated, reordered and dropped events", async () => {
    seedAwsOrg(sim, { accounts: 80, ous: 16, depth: 3, seed: 5 });
    sim.admin.tagResource({ resourceId: [...sim.state.ous.keys()][0]!, tags: { data: "regulated" } });
    const inc = await connect(sim);
    const first = await run(inc.connectionId);
    expect(first.calls.byOperation.ListAccounts).toBeGreaterThan(0);

    for (const [round, dropEvery] of [
      [1, 0],
      [2, 0],
      [3, 5],
    ] as const) {
      const before = sim.events().length;
      changeOrganization(sim, round * 101, 40);
      const events = sim.events().slice(before);
      expect(events.length).toBeGreaterThan(30);
      // Duplicates (the cloud's retries), a shuffle (EventBridge does not order), and in round 3 every fifth dropped.
      const rand = mulberry32(round);
      const delivered = events.filter((_, i) => dropEvery === 0 || i % dropEvery !== 0);
      const stream = [...delivered, ...delivered.filter(() => rand() < 0.3)].sort(() => rand() - 0.5);
      for (const e of stream) await deliverHierarchyEvent(prisma, "aws", inc.connectionId, e);

      const r = await run(inc.connectionId);
      // Targeted: no listing of the organization, only reads of what the events named (and follow-ups).
      expect(r.calls.byOperation.ListAccounts ?? 0).toBe(0);
      expect(r.calls.byOperation.ListOrganizationalUnitsForParent ?? 0).toBe(0);
      expect(await prisma.hierarchyChange.count({ where: { connectionId: inc.connectionId } })).toBe(0);

      // What a full sweep of the same organization records, on a connection of its own.
      const ref = await connect(sim);
      await run(ref.connectionId);
      const want = await nodeTreeSnapshot(prisma, ref.connectionId);
      if (dropEvery === 0) {
        expectSameTree(await nodeTreeSnapshot(prisma, inc.connectionId), want);
      } else {
        // Some dropped event left a node stale; the next full sweep (due by the interval, here 60 s) catches it.
        const stale = await nodeTreeSnapshot(prisma, inc.connectionId);
        expect(Object.fromEntries(Object.entries(stale).filter(([, n]) => n.state === "active"))).not.toEqual(want);
        await prisma.connection.update({ where: { id: inc.connectionId }, data: { lastDiscoveredAt: new Date(Date.now() - 61_000) } });
        const swept = await run(inc.connectionId, { fullDiscoveryIntervalSec: 60 });
        expect(swept.calls.byOperation.ListAccounts).toBeGreaterThan(0);
        expectSameTree(await nodeTreeSnapshot(prisma, inc.connectionId), want);
      }
      await prisma.connection.delete({ where: { id: ref.connectionId } });
    }
  }, 180_000); // six full sweeps of an 80-account org beside the rounds: past the 60 s default on a loaded 2-core machine (a hang guard, not a timing claim)

  it("never lets an event create a node outside the organization, and sweeps only when due", async () => {
    seedAwsOrg(sim, { accounts: 10, ous: 3, depth: 2, seed: 9 });
    const c = await connect(sim);
    await run(c.connectionId);
    const nodesBefore = await nodeTreeSnapshot(prisma, c.connectionId);
    // Well-formed ids of no node of this organization: a foreign account, a foreign OU.
    const forged = (id: string, eventName: string, key: string) => ({
      id: `forged-${id}`,
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName, requestParameters: { [key]: id } },
    });
    await deliverHierarchyEvent(prisma, "aws", c.connectionId, forged("999988887777", "MoveAccount", "accountId"));
    await deliverHierarchyEvent(
      prisma,
      "aws",
      c.connectionId,
      forged("ou-zzzz-abcdefgh", "UpdateOrganizationalUnit", "organizationalUnitId"),
    );
    const r = await run(c.connectionId);
    expect(r.calls.byOperation).toMatchObject({ DescribeAccount: 1, DescribeOrganizationalUnit: 1 });
    expect(r.calls.byOperation.ListAccounts ?? 0).toBe(0);
    expect(await nodeTreeSnapshot(prisma, c.connectionId)).toEqual(nodesBefore);

    // Nothing waiting and the last sweep recent: no discovery calls at all. Past the interval: one full sweep.
    const quiet = await run(c.connectionId);
    expect(
      Object.keys(quiet.calls.byOperation).filter((op) => /^List(Roots|Accounts|OrganizationalUnits)|^Describe(Account|Org)/.test(op)),
    ).toEqual([]);
    await prisma.connection.update({ where: { id: c.connectionId }, data: { lastDiscoveredAt: new Date(Date.now() - 86_400_000) } });
    const daily = await run(c.connectionId);
    expect(daily.calls.byOperation.ListAccounts).toBeGreaterThan(0);
    const after = await prisma.connection.findUniqueOrThrow({ where: { id: c.connectionId } });
    expect(Date.now() - after.lastDiscoveredAt!.getTime()).toBeLessThan(60_000);
  });
});

describe("incremental discovery and held labels", () => {
  it("holds an event's retag that would take an environment out of a guardrail, as a full sweep does", async () => {
    seedAwsOrg(sim, { accounts: 12, ous: 3, depth: 1, seed: 11 });
    const c = await connect(sim);
    await run(c.connectionId);
    await h.guardrail(c.workspaceId, "deny-root-user", { labels: "env=prod" });
    await run(c.connectionId);
    const prod = [...sim.state.accounts.values()].find((a) => a.tags.get("env") === "prod")!;
    const before = sim.events().length;
    sim.admin.tagResource({ resourceId: prod.id, tags: { env: "dev" } });
    for (const e of sim.events().slice(before)) await deliverHierarchyEvent(prisma, "aws", c.connectionId, e);
    const r = await run(c.connectionId);
    expect(r.calls.byOperation.ListAccounts ?? 0).toBe(0);
    const node = await prisma.node.findFirstOrThrow({ where: { connectionId: c.connectionId, externalId: prod.id } });
    expect(node.cloudLabels).toMatchObject({ env: "dev" });
    expect(node.effectiveLabels).toMatchObject({ env: "prod" });
    expect(await prisma.driftFinding.count({ where: { nodeId: node.id, kind: "label_held", status: "open" } })).toBe(1);
  });
});

describe("incremental discovery (GCP)", () => {
  it("applies Resource Manager audit entries (moves, new folders and projects, labels) as a full sweep would", async () => {
    const gcp = await startGcpSim({ throttle: false });
    const hook = await startEventHook();
    const { received } = hook;
    try {
      const demo = seedGcpDemo(gcp);
      const spec = { cloud: "gcp" as const, endpoint: gcp.url, ...gcpDemoCredentials() };
      const inc = await h.connect(spec);
      await run(inc.connectionId);
      gcp.configure({ webhook: { url: hook.url } });
      const org = `organizations/${demo.orgId}`;
      const projects = Object.values(demo.projects).map((p) => `projects/${p.number}`);
      const folder = String(gcp.createFolder(org, "Acquired").name);
      gcp.moveProject(projects[0]!, folder);
      gcp.setProjectLabels(projects[1]!, { env: "prod", data: "regulated" });
      gcp.createProject({ parent: folder, projectId: "acquired-app-1", displayName: "acquired app", labels: { env: "dev" } });
      await gcp.flushEvents();
      expect(received.length).toBeGreaterThanOrEqual(4);
      for (const e of [...received].reverse()) await deliverHierarchyEvent(prisma, "gcp", inc.connectionId, e);
      for (const e of received) await deliverHierarchyEvent(prisma, "gcp", inc.connectionId, e);
      const r = await run(inc.connectionId);
      expect(r.calls.byOperation["crm.SearchProjects"] ?? 0).toBe(0);
      expect(r.calls.byOperation["crm.GetProject"]).toBeGreaterThan(0);

      const ref = await h.connect(spec);
      await run(ref.connectionId);
      expectSameTree(await nodeTreeSnapshot(prisma, inc.connectionId), await nodeTreeSnapshot(prisma, ref.connectionId));
    } finally {
      await hook.close();
      await gcp.close();
    }
  });
});

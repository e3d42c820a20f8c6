import { describe, expect, it } from "vitest";
import { OrgState } from "./org-state.ts";
import { mulberry32 } from "../common/rng.ts";
import { AWS_DEMO, seedAwsDemo, seedAwsOrg } from "./seed.ts";
import { AwsSimulator } from "./simulator.ts";

describe("seeding", () => {
  it("builds a 10,000-account, 2,000-OU organization within the limits, fully indexed", () => {
    const sim = new AwsSimulator({ throttle: false });
    const r = seedAwsOrg(sim, { accounts: 10_000, ous: 2_000, depth: 5, customerScps: 20 });
    expect(r).toMatchObject({ accounts: 10_001, ous: 2_000, policies: 20 });
    const st = sim.state;
    let maxDepth = 0;
    let childAccounts = st.root.accounts.size;
    for (const ou of st.ous.values()) {
      maxDepth = Math.max(maxDepth, ou.depth);
      childAccounts += ou.accounts.size;
      expect(st.container(ou.parentId)!.ous.has(ou.id)).toBe(true);
    }
    expect(maxDepth).toBeLessThanOrEqual(5);
    expect(childAccounts).toBe(st.accounts.size);
    const full = st.policies.get("p-FullAWSAccess")!;
    expect(full.targets.size).toBe(1 + st.ous.size + st.accounts.size);
    for (const a of st.accounts.values()) expect(a.policies.has("p-FullAWSAccess")).toBe(true);
    const tagged = [...st.accounts.values()].filter((a) => a.tags.get("env") === "prod").length;
    expect(tagged).toBeGreaterThan(1000);
  });

  it("is deterministic for a given seed", () => {
    const a = new AwsSimulator({ throttle: false });
    const b = new AwsSimulator({ throttle: false });
    seedAwsOrg(a, { accounts: 200, ous: 40, seed: 5 });
    seedAwsOrg(b, { accounts: 200, ous: 40, seed: 5 });
    // Ids, names, tags and the tree are seed-determined; only join timestamps come from the clock.
    const shape = (sim: AwsSimulator) => {
      const s = sim.state.snapshot();
      return { ...s, accounts: s.accounts.map(({ joinedAt: _t, ...rest }) => rest) };
    };
    expect(shape(a)).toEqual(shape(b));
  });

  it("restores a snapshot to an identical organization", () => {
    const sim = new AwsSimulator({ throttle: false });
    const demo = seedAwsDemo(sim);
    const snap = sim.state.snapshot();
    const back = OrgState.restore(JSON.parse(JSON.stringify(snap)) as typeof snap, mulberry32(1));
    expect(back.snapshot()).toEqual(snap);
    const prod = back.ous.get(demo.ouIds["Workloads/Prod"]!)!;
    expect(prod.depth).toBe(2);
    expect(back.pathOf(prod)).toBe(sim.state.pathOf(sim.state.ous.get(prod.id)!));
    expect([...prod.policies]).toEqual([...sim.state.ous.get(prod.id)!.policies]);
  });

  it("gives the demo organization stable ids and the connector role", () => {
    const one = new AwsSimulator({ throttle: false });
    const two = new AwsSimulator({ throttle: false, seed: 12 });
    const d1 = seedAwsDemo(one);
    const d2 = seedAwsDemo(two);
    expect(d1.ouIds).toEqual(d2.ouIds);
    expect(d1.accountIds).toEqual(d2.accountIds);
    expect(d1.managementAccountId).toBe(AWS_DEMO.managementAccountId);
    expect(Object.keys(d1.ouIds)).toEqual([
      "Security",
      "Infrastructure",
      "Workloads",
      "Workloads/Prod",
      "Workloads/NonProd",
      "Sandbox",
      "AI-Agents",
    ]);
    expect(Object.keys(d1.accountIds).length).toBeGreaterThanOrEqual(40);
    expect(one.iam.role(AWS_DEMO.role.arn)?.spec.externalId).toBe(AWS_DEMO.role.externalId);
    expect(one.iam.lookup(AWS_DEMO.credentials.accessKeyId)?.principal.accountId).toBe(AWS_DEMO.managementAccountId);
  });
});

/**
 * The one contract suite every adapter passes, against its cloud simulator through the real SDK:
 * fresh org → apply desired → observe equals desired → out-of-band edit / detach / delete → observe
 * reports exactly that drift → re-apply → equal again; paging; throttling storms; unowned artifacts
 * untouched. Each cloud supplies a fixture; `describeContract` registers the tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProviderError } from "./errors.ts";
import type { CloudAdapter, DesiredArtifact, ObservedArtifact, ObservedState } from "./types.ts";

interface ContractWorld {
  adapter: CloudAdapter;
  /** What the suite deploys: at least one artifact with an attachment that can be detached/weakened. */
  desired: DesiredArtifact[];
  /**
   * The name of the desired artifact the detach test takes out of force (default: the first with an
   * attachment). GCP needs it: a person can switch a policy to dry-run only only where the constraint
   * takes a dry run, so its fixture points at the policy on Parapet's custom constraint.
   */
  detachTarget?: string;
  /** Lower bound of nodes discover must return (the fixture seeds enough to need > 1 page everywhere). */
  minNodes: number;
  /** Out-of-band changes made the way a human would (simulator admin API). */
  oob: {
    /** Changes the artifact's content in the cloud. Expected difference kind is returned. */
    edit(a: ObservedArtifact): Promise<"modified" | "weakened">;
    /** Removes one attachment / weakens the scope (AWS detach, Azure notScopes or enforcement off, …). */
    detach(a: ObservedArtifact): Promise<void>;
    remove(a: ObservedArtifact): Promise<void>;
    /** Creates an artifact Parapet does not own, named like ours where the cloud allows. */
    createUnowned(): Promise<ObservedArtifact>;
    /** Reads the unowned artifact's current native body, to prove it was left untouched. */
    readUnowned(a: ObservedArtifact): Promise<unknown>;
    /** Turns a throttling storm on (tiny token buckets) or off. */
    throttleStorm(on: boolean): Promise<void>;
  };
  close(): Promise<void>;
}

export interface ContractFixture {
  cloud: string;
  setup(): Promise<ContractWorld>;
}

/** Applies desired state the simple way (create/update, then attach missing targets). */
export async function converge(adapter: CloudAdapter, desired: DesiredArtifact[]): Promise<ObservedState> {
  let observed = await adapter.observe({ expected: desired });
  for (const d of desired) {
    const o = observed.artifacts.find((a) => a.kind === d.kind && a.name === d.name);
    let externalId = o?.externalId;
    if (!o) {
      externalId = (await adapter.apply({ op: "create", artifact: d, reason: "contract: create" })).externalId;
    } else if (!adapter.compare(d, o).equal) {
      await adapter.apply({ op: "update", artifact: d, externalId: o.externalId, etag: o.etag, reason: "contract: update" });
    }
    if (!externalId) throw new Error(`no externalId for ${d.name}`);
    for (const t of d.attachments) {
      if (!o?.attachments.includes(t)) {
        await adapter.apply({ op: "attach", kind: d.kind, name: d.name, externalId, target: t, reason: "contract: attach" });
      }
    }
  }
  observed = await adapter.observe({ expected: desired });
  return observed;
}

function find(state: ObservedState, d: DesiredArtifact): ObservedArtifact | undefined {
  return state.artifacts.find((a) => a.kind === d.kind && a.name === d.name);
}

function expectEqual(adapter: CloudAdapter, desired: DesiredArtifact[], state: ObservedState): void {
  expect(state.unreadable).toEqual([]);
  for (const d of desired) {
    const o = find(state, d);
    expect(o, `${d.kind} ${d.name} observed`).toBeDefined();
    expect(o!.owned).toBe(true);
    expect(adapter.compare(d, o!)).toEqual({ equal: true });
    expect([...o!.attachments].sort()).toEqual([...d.attachments].sort());
  }
}

export function describeContract(fixture: ContractFixture): void {
  describe(`${fixture.cloud} adapter contract`, () => {
    let w: ContractWorld;
    beforeAll(async () => {
      w = await fixture.setup();
    });
    afterAll(async () => {
      await w?.close();
    });

    it("verifies its credentials and permissions", async () => {
      const v = await w.adapter.verify();
      expect(v.missing).toEqual([]);
      expect(v.ok).toBe(true);
    });

    it("discovers the whole hierarchy, paging to the end", async () => {
      const h = await w.adapter.discover();
      expect(h.nodes.length).toBeGreaterThanOrEqual(w.minNodes);
      const ids = new Set(h.nodes.map((n) => n.externalId));
      expect(ids.size).toBe(h.nodes.length);
      expect(ids.has(h.rootExternalId)).toBe(true);
      for (const n of h.nodes) if (n.parentExternalId) expect(ids.has(n.parentExternalId)).toBe(true);
      expect(h.nodes.some((n) => n.isEnvironment)).toBe(true);
    });

    it("reads any node by id exactly as the full discovery records it (where targeted discovery is offered)", async (t) => {
      const readNodes = w.adapter.discoverNodes?.bind(w.adapter);
      if (!readNodes) return t.skip();
      const h = await w.adapter.discover();
      // The root, and a spread of the rest (every ninth node), in one batch.
      const sample = [h.nodes[0]!, ...h.nodes.filter((_, i) => i % 9 === 1)];
      const reads = await readNodes(sample.map((n) => n.externalId));
      const byId = new Map(h.nodes.map((n) => [n.externalId, n]));
      for (const r of reads) expect(r.node, r.externalId).toEqual(byId.get(r.externalId));
    });

    it("applies desired state and then observes exactly it", async () => {
      expectEqual(w.adapter, w.desired, await converge(w.adapter, w.desired));
    });

    it("is idempotent: converging again makes no writes", async () => {
      w.adapter.resetStats();
      expectEqual(w.adapter, w.desired, await converge(w.adapter, w.desired));
      expect(w.adapter.stats().writes).toBe(0);
    });

    it("sees an out-of-band edit as exactly that drift, and repairs it", async () => {
      const d = w.desired[0]!;
      const before = find(await w.adapter.observe({ expected: [d] }), d)!;
      const expectedKind = await w.oob.edit(before);
      const after = await w.adapter.observe({ expected: w.desired });
      const diff = w.adapter.compare(d, find(after, d)!);
      expect(diff.equal).toBe(false);
      if (!diff.equal) expect(diff.kind).toBe(expectedKind);
      for (const other of w.desired.slice(1)) expect(w.adapter.compare(other, find(after, other)!)).toEqual({ equal: true });
      expectEqual(w.adapter, w.desired, await converge(w.adapter, w.desired));
    });

    it("sees an out-of-band detach, and re-attaches", async () => {
      const d = w.desired.find((x) => (w.detachTarget ? x.name === w.detachTarget : x.attachments.length > 0))!;
      const before = find(await w.adapter.observe({ expected: [d] }), d)!;
      await w.oob.detach(before);
      const after = find(await w.adapter.observe({ expected: [d] }), d)!;
      const stillEqual = w.adapter.compare(d, after).equal && [...after.attachments].sort().join() === [...d.attachments].sort().join();
      expect(stillEqual).toBe(false);
      expectEqual(w.adapter, w.desired, await converge(w.adapter, w.desired));
    });

    it("sees an out-of-band delete as missing, and recreates", async () => {
      const d = w.desired[0]!;
      const before = find(await w.adapter.observe({ expected: [d] }), d)!;
      await w.oob.remove(before);
      const after = await w.adapter.observe({ expected: [d] });
      expect(find(after, d)).toBeUndefined();
      expect(after.unreadable).toEqual([]);
      expectEqual(w.adapter, w.desired, await converge(w.adapter, w.desired));
    });

    it("never changes an artifact it does not own", async () => {
      const foreign = await w.oob.createUnowned();
      const before = await w.oob.readUnowned(foreign);
      const state = await w.adapter.observe({ expected: [{ kind: foreign.kind, name: foreign.name }] });
      const seen = state.artifacts.find((a) => a.externalId === foreign.externalId);
      if (seen) expect(seen.owned).toBe(false);
      const attempts = [
        () =>
          w.adapter.apply({
            op: "update",
            artifact: { ...w.desired[0]!, kind: foreign.kind, name: foreign.name },
            externalId: foreign.externalId,
            reason: "must refuse",
          }),
        () =>
          w.adapter.apply({ op: "delete", kind: foreign.kind, name: foreign.name, externalId: foreign.externalId, reason: "must refuse" }),
      ];
      for (const attempt of attempts) {
        const err = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(isProviderError(err), "refused with a ProviderError").toBe(true);
      }
      expect(await w.oob.readUnowned(foreign)).toEqual(before);
    });

    it("survives a throttling storm without false drift", async () => {
      await w.oob.throttleStorm(true);
      try {
        w.adapter.resetStats();
        const state = await w.adapter.observe({ expected: w.desired });
        expectEqual(w.adapter, w.desired, state);
        expect(w.adapter.stats().throttled).toBeGreaterThan(0);
      } finally {
        await w.oob.throttleStorm(false);
      }
    });
  });
}

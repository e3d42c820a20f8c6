import { describe, expect, it } from "vitest";
import { compareCustomConstraint, compareDenyPolicy, compareOrgPolicy } from "./compare.ts";
import {
  canonicalDenyPolicyName,
  mergeOrgPolicy,
  nodeOfDenyPolicy,
  normaliseCustomConstraint,
  normaliseDenyPolicy,
  normaliseOrgPolicy,
  withoutOurRules,
} from "./policy.ts";
import type { TGcpDenyPolicy, TGcpOrgPolicy } from "./types.ts";

const N = "folders/7/policies/gcp.resourceLocations";
const B = "folders/7/policies/compute.requireOsLogin";
const list = (spec: TGcpOrgPolicy["spec"], dryRunSpec?: TGcpOrgPolicy["dryRunSpec"]): TGcpOrgPolicy => ({
  name: N,
  ...(spec ? { spec } : {}),
  ...(dryRunSpec ? { dryRunSpec } : {}),
});
const bool = (spec: TGcpOrgPolicy["spec"], dryRunSpec?: TGcpOrgPolicy["dryRunSpec"]): TGcpOrgPolicy => ({
  name: B,
  ...(spec ? { spec } : {}),
  ...(dryRunSpec ? { dryRunSpec } : {}),
});
const allowed = (...v: string[]) => ({ values: { allowedValues: v } });
const denied = (...v: string[]) => ({ values: { deniedValues: v } });

describe("normaliseOrgPolicy", () => {
  it("drops what the SDK decodes around the content (nulls, oneof tags, etags, timestamps, false defaults)", () => {
    const fromSdk = {
      name: N,
      spec: {
        rules: [
          { condition: null, values: { allowedValues: ["b", "a", "a"], deniedValues: [] }, kind: "values" },
          {
            values: null,
            denyAll: false,
            allowAll: true,
            condition: { expression: "resource.matchTag('1/env', 'dev')", title: "", location: "" },
            kind: "allowAll",
          },
        ],
        etag: "e1",
        updateTime: { seconds: "1", nanos: 0 },
        inheritFromParent: false,
        reset: false,
      },
      alternate: null,
      dryRunSpec: null,
    };
    expect(normaliseOrgPolicy(fromSdk)).toEqual({
      name: N,
      spec: {
        rules: [
          { allowAll: true, condition: { expression: "resource.matchTag('1/env', 'dev')" } },
          { values: { allowedValues: ["a", "b"] } },
        ],
      },
    });
  });

  it("gives the same body whatever the rule order", () => {
    const a = normaliseOrgPolicy(list({ rules: [denied("x"), { denyAll: true, condition: { expression: "c" } }] }));
    const b = normaliseOrgPolicy(list({ rules: [{ condition: { expression: "c" }, denyAll: true }, denied("x")] }));
    expect(a).toEqual(b);
  });
});

describe("mergeOrgPolicy", () => {
  it("takes Parapet's rules as they are when the slot is free", () => {
    expect(mergeOrgPolicy(undefined, bool({ rules: [{ enforce: true }] }))).toEqual({
      ok: true,
      policy: bool({ rules: [{ enforce: true }] }),
    });
  });

  it("adopts a customer's matching boolean policy and refuses one that switches enforcement off", () => {
    expect(mergeOrgPolicy(bool({ rules: [{ enforce: true }] }), bool({ rules: [{ enforce: true }] }))).toEqual({
      ok: true,
      policy: bool({ rules: [{ enforce: true }] }),
    });
    const off = mergeOrgPolicy(bool({ rules: [{ enforce: false }] }), bool({ rules: [{ enforce: true }] }));
    expect(off).toMatchObject({ ok: false });
    const exception = mergeOrgPolicy(
      bool({ rules: [{ enforce: true }, { enforce: false, condition: { expression: "resource.matchTag('1/env', 'dev')" } }] }),
      bool({ rules: [{ enforce: true }] }),
    );
    expect(exception.ok).toBe(false);
    if (!exception.ok) expect(exception.reason).toContain("resource.matchTag('1/env', 'dev')");
  });

  it("refuses a customer reset", () => {
    expect(mergeOrgPolicy(list({ rules: [], reset: true }), list({ rules: [denied("x")] })).ok).toBe(false);
  });

  it("intersects allowed values, unions denied values and keeps the customer's conditional rules", () => {
    const cond = { allowAll: true, condition: { expression: "resource.matchTag('1/sandbox', 'yes')" } };
    const r = mergeOrgPolicy(
      list({ rules: [{ values: { allowedValues: ["in:eu-locations", "us-east1"], deniedValues: ["europe-west9"] } }, cond] }),
      list({ rules: [{ values: { allowedValues: ["in:eu-locations", "europe-west1"], deniedValues: ["asia-east1"] } }] }),
    );
    expect(r).toEqual({
      ok: true,
      policy: normaliseOrgPolicy(
        list({ rules: [{ values: { allowedValues: ["in:eu-locations"], deniedValues: ["asia-east1", "europe-west9"] } }, cond] }),
      ),
    });
  });

  it("reports a conflict when no allowed value satisfies both", () => {
    const r = mergeOrgPolicy(list({ rules: [allowed("us-east1")] }), list({ rules: [allowed("europe-west1")] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/customer allows \[us-east1\].*guardrail allows \[europe-west1\]/);
  });

  it("lets a customer deny-all stand and lets Parapet's deny-all replace the customer's values", () => {
    expect(mergeOrgPolicy(list({ rules: [{ denyAll: true }] }), list({ rules: [denied("x")] }))).toEqual({
      ok: true,
      policy: list({ rules: [{ denyAll: true }] }),
    });
    expect(mergeOrgPolicy(list({ rules: [allowed("a")] }), list({ rules: [{ denyAll: true }] }))).toEqual({
      ok: true,
      policy: list({ rules: [{ denyAll: true }] }),
    });
  });

  it("keeps inheritance only where it cannot loosen Parapet's allow list", () => {
    const withDenied = mergeOrgPolicy(list({ rules: [denied("a")], inheritFromParent: true }), list({ rules: [denied("b")] }));
    expect(withDenied).toEqual({ ok: true, policy: list({ rules: [denied("a", "b")], inheritFromParent: true }) });
    const withAllowed = mergeOrgPolicy(list({ rules: [denied("a")], inheritFromParent: true }), list({ rules: [allowed("b")] }));
    expect(withAllowed).toEqual({ ok: true, policy: list({ rules: [{ values: { allowedValues: ["b"], deniedValues: ["a"] } }] }) });
  });

  it("merges an audit-mode (dry-run) spec against the live spec when there is no dry-run spec yet, keeping the live one", () => {
    const r = mergeOrgPolicy(list({ rules: [allowed("a", "b")] }), list(undefined, { rules: [allowed("b", "c")] }));
    expect(r).toEqual({ ok: true, policy: list({ rules: [allowed("a", "b")] }, { rules: [allowed("b")] }) });
  });

  it("is idempotent, so already-merged bodies and repeated applies change nothing", () => {
    const existing = list({
      rules: [{ values: { allowedValues: ["a", "b", "c"], deniedValues: ["z"] } }, { denyAll: true, condition: { expression: "e" } }],
    });
    const ours = list({ rules: [{ values: { allowedValues: ["b", "c", "d"], deniedValues: ["y"] } }] });
    const once = mergeOrgPolicy(existing, ours);
    expect(once.ok).toBe(true);
    if (once.ok) expect(mergeOrgPolicy(once.policy, ours)).toEqual(once);
  });
});

describe("compareOrgPolicy", () => {
  const ours = list({ rules: [allowed("europe-west1", "in:eu-locations")] });

  it("is equal when the cloud holds Parapet's rules plus the customer's compatible ones", () => {
    const cloud = list({ rules: [{ values: { allowedValues: ["in:eu-locations", "europe-west1"], deniedValues: ["customer-x"] } }] });
    expect(compareOrgPolicy(ours, cloud, false)).toEqual({ equal: true });
  });

  it.each<[string, TGcpOrgPolicy, RegExp]>([
    ["an allowed value added", list({ rules: [allowed("europe-west1", "in:eu-locations", "us-east1")] }), /allowed values added: us-east1/],
    ["the restriction replaced by allow-all", list({ rules: [{ allowAll: true }] }), /allow-all/],
    ["enforcement moved to dry-run", list(undefined, { rules: [allowed("europe-west1", "in:eu-locations")] }), /dry-run only/],
    ["a reset", list({ rules: [], reset: true }), /reset/],
  ])("classifies %s as weakened", (_, cloud, detail) => {
    const d = compareOrgPolicy(ours, cloud, false);
    expect(d).toMatchObject({ equal: false, kind: "weakened" });
    if (!d.equal) expect(d.detail).toMatch(detail);
  });

  it("classifies removed denied values and an added boolean exception as weakened", () => {
    expect(compareOrgPolicy(list({ rules: [denied("a", "b")] }), list({ rules: [denied("a")] }), false)).toMatchObject({
      kind: "weakened",
      detail: "spec: denied values removed: b",
    });
    const withException = bool({ rules: [{ enforce: true }, { enforce: false, condition: { expression: "x" } }] });
    expect(compareOrgPolicy(bool({ rules: [{ enforce: true }] }), withException, true)).toMatchObject({ kind: "weakened" });
    expect(compareOrgPolicy(bool({ rules: [{ enforce: true }] }), bool({ rules: [{ enforce: false }] }), true)).toMatchObject({
      kind: "weakened",
      detail: "spec: enforcement turned off",
    });
  });

  it("on a wholly owned policy, treats a stricter or extra spec as modified, not weakened", () => {
    const d = compareOrgPolicy(
      bool({ rules: [{ enforce: true }] }),
      bool({ rules: [{ enforce: true }] }, { rules: [{ enforce: true }] }),
      true,
    );
    expect(d).toMatchObject({ equal: false, kind: "modified" });
  });
});

describe("deny policies", () => {
  const name = "policies/cloudresourcemanager.googleapis.com%2Ffolders%2F7/denypolicies/parapet-ws-abc";
  const ours: TGcpDenyPolicy = {
    name,
    displayName: "Parapet guardrails",
    labels: { "parapet-managed": "ws" },
    rules: [
      {
        description: "agents cannot delete",
        denyRule: {
          deniedPrincipals: ["principalSet://goog/group/agents@example.com"],
          exceptionPrincipals: ["principalSet://goog/group/break-glass@example.com"],
          deniedPermissions: ["storage.googleapis.com/buckets.delete", "compute.googleapis.com/disks.delete"],
        },
      },
    ],
  };
  const fromSdk = {
    name: "policies/cloudresourcemanager.googleapis.com%252Ffolders%252F7/denypolicies/parapet-ws-abc",
    uid: "u",
    kind: "DenyPolicy",
    etag: "e",
    displayName: "Parapet guardrails",
    annotations: { "parapet-managed": "ws" },
    rules: [
      {
        description: "agents cannot delete",
        denyRule: {
          deniedPrincipals: ["principalSet://goog/group/agents@example.com"],
          exceptionPrincipals: ["principalSet://goog/group/break-glass@example.com"],
          deniedPermissions: ["compute.googleapis.com/disks.delete", "storage.googleapis.com/buckets.delete"],
          exceptionPermissions: [],
          denialCondition: null,
        },
        kind: "denyRule",
      },
    ],
  };

  it("reads the owner annotation as Parapet's label and ignores order, encoding and server fields", () => {
    expect(normaliseDenyPolicy(fromSdk).labels).toEqual({ "parapet-managed": "ws" });
    expect(canonicalDenyPolicyName(fromSdk.name)).toBe(name);
    expect(nodeOfDenyPolicy(fromSdk.name)).toBe("folders/7");
    expect(compareDenyPolicy(ours, fromSdk)).toEqual({ equal: true });
  });

  it("calls an added exception, a dropped permission or a new condition weakened, and a new rule modified", () => {
    const rule = fromSdk.rules[0]!;
    const variant = (denyRule: Partial<typeof rule.denyRule>) => ({
      ...fromSdk,
      rules: [{ ...rule, denyRule: { ...rule.denyRule, ...denyRule } }],
    });
    expect(
      compareDenyPolicy(
        ours,
        variant({ exceptionPrincipals: [...rule.denyRule.exceptionPrincipals, "principalSet://goog/group/agents@example.com"] }),
      ),
    ).toMatchObject({ kind: "weakened" });
    expect(compareDenyPolicy(ours, variant({ deniedPermissions: ["storage.googleapis.com/buckets.delete"] }))).toMatchObject({
      kind: "weakened",
    });
    expect(
      compareDenyPolicy(ours, variant({ denialCondition: { expression: "resource.matchTag('1/env','prod')" } as never })),
    ).toMatchObject({ kind: "weakened" });
    const extra = {
      ...fromSdk,
      rules: [
        ...fromSdk.rules,
        {
          description: "more",
          denyRule: { deniedPrincipals: ["principalSet://goog/public:all"], deniedPermissions: ["iam.googleapis.com/roles.delete"] },
        },
      ],
    };
    expect(compareDenyPolicy(ours, extra)).toMatchObject({ kind: "modified" });
    expect(compareDenyPolicy(ours, { ...fromSdk, displayName: "renamed" })).toMatchObject({
      kind: "modified",
      detail: "displayName differs",
    });
  });
});

describe("custom constraints", () => {
  const ours = {
    name: "organizations/1/customConstraints/custom.parapetwsx",
    resourceTypes: ["storage.googleapis.com/Bucket"],
    methodTypes: ["CREATE", "UPDATE"],
    condition: "resource.x == true",
    actionType: "DENY",
    displayName: "d",
    description: "Owner: ws",
  };

  it("reads enums sent as numbers and compares field by field", () => {
    const wire = { ...ours, methodTypes: [2, 1], actionType: 2, updateTime: "t" };
    expect(normaliseCustomConstraint(wire)).toEqual(normaliseCustomConstraint(ours));
    expect(compareCustomConstraint(ours, wire)).toEqual({ equal: true });
  });

  it("classifies a flipped action or a dropped method as weakened and a new condition as modified", () => {
    expect(compareCustomConstraint(ours, { ...ours, actionType: "ALLOW" })).toMatchObject({ kind: "weakened" });
    expect(compareCustomConstraint(ours, { ...ours, methodTypes: ["CREATE"] })).toMatchObject({
      kind: "weakened",
      detail: "methodTypes removed: UPDATE",
    });
    expect(compareCustomConstraint(ours, { ...ours, condition: "resource.y == true" })).toMatchObject({
      kind: "modified",
      detail: "condition differs",
    });
  });
});

describe("withoutOurRules (taking Parapet's rules back from a shared policy)", () => {
  it("leaves nothing when the policy holds only Parapet's rules, in either spec", () => {
    const ours = bool({ rules: [{ enforce: true }] }, { rules: [{ enforce: true }] });
    expect(withoutOurRules(ours, ours)).toEqual({ name: B });
    expect(withoutOurRules(list({ rules: [denied("in:asia-locations")] }), list({ rules: [denied("in:asia-locations")] }))).toEqual({
      name: N,
    });
  });

  it("keeps the customer's denied values and conditional rules, takes Parapet's values out", () => {
    const cond = { condition: { expression: "resource.matchTag('1/env', 'lab')" }, allowAll: true };
    const merged = mergeOrgPolicy(list({ rules: [denied("a"), cond] }), list({ rules: [denied("b")] }));
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    expect(withoutOurRules(merged.policy, list({ rules: [denied("b")] }))).toEqual(
      normaliseOrgPolicy(list({ rules: [denied("a"), cond] })),
    );
  });

  it("keeps a narrower allow list (the customer's, intersected) instead of loosening it", () => {
    const merged = mergeOrgPolicy(
      list({ rules: [allowed("in:eu-locations")] }),
      list({ rules: [allowed("in:eu-locations", "in:us-locations")] }),
    );
    expect(merged.ok && merged.policy.spec?.rules).toEqual([allowed("in:eu-locations")]);
    if (!merged.ok) return;
    expect(withoutOurRules(merged.policy, list({ rules: [allowed("in:eu-locations", "in:us-locations")] })).spec?.rules).toEqual([
      allowed("in:eu-locations"),
    ]);
    // An allow list exactly Parapet's goes with it.
    expect(withoutOurRules(list({ rules: [allowed("x", "y")] }), list({ rules: [allowed("y", "x")] }))).toEqual({ name: N });
  });

  it("drops the dry run Parapet added (a copy of the customer's spec plus its own rule), keeps the customer's own dry run", () => {
    const customer = list({ rules: [denied("a")] });
    const audit = list(undefined, { rules: [denied("b")] });
    const merged = mergeOrgPolicy(customer, audit);
    expect(merged.ok && merged.policy.dryRunSpec?.rules).toEqual([denied("a", "b")]);
    if (!merged.ok) return;
    expect(withoutOurRules(merged.policy, audit)).toEqual(normaliseOrgPolicy(customer));
    const theirDry = list({ rules: [denied("a")] }, { rules: [denied("c")] });
    expect(withoutOurRules(theirDry, list({ rules: [denied("b")] }))).toEqual(normaliseOrgPolicy(theirDry));
  });

  it("changes nothing when Parapet applied nothing to that spec", () => {
    const p = bool({ rules: [{ enforce: true }] });
    expect(withoutOurRules(p, bool(undefined, { rules: [{ enforce: true }] }))).toEqual(normaliseOrgPolicy(p));
  });
});

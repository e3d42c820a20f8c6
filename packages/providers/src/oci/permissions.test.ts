import { describe, expect, it } from "vitest";
import { ociDenyGuardBootstrapChange, ociDenyGuardFix } from "./permissions.ts";

const GUARD =
  "deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='ocid1.user.oc1..enabler'}";

describe("the deny-policy guard change", () => {
  it("adds the connector to the Console's default guard, keeping the enabler", () => {
    expect(ociDenyGuardFix(GUARD, "ocid1.user.oc1..connector")).toBe(
      "deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='ocid1.user.oc1..enabler', request.principal.id!='ocid1.user.oc1..connector'}",
    );
  });

  it("leaves a guard that already excepts the connector, and statements that are not a guard", () => {
    expect(ociDenyGuardFix(ociDenyGuardFix(GUARD, "ocid1.user.oc1..c")!, "ocid1.user.oc1..c")).toBeUndefined();
    expect(ociDenyGuardFix("Allow group Admins to manage policies in tenancy", "u")).toBeUndefined();
    expect(ociDenyGuardFix("deny any-user to manage policies in tenancy where target.policy.type = 'allow'", "u")).toBeUndefined();
  });

  it("turns a single-condition guard into an all {} that excepts the connector", () => {
    expect(ociDenyGuardFix("deny any-user to manage policies in tenancy where target.policy.type='deny'", "u1")).toBe(
      "deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='u1'}",
    );
  });

  it("gives bootstrap the exact before/after with placeholders", () => {
    const c = ociDenyGuardBootstrapChange();
    expect(c.after).toBe(`${c.before.slice(0, -1)}, request.principal.id!='<ocid-of-the-parapet-connector-user>'}`);
  });
});

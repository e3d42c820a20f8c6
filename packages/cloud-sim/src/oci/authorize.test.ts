import { describe, expect, it } from "vitest";
import { evaluateCondition, evaluateOciDeny, type OciRequest } from "./authorize.ts";

const user: OciRequest["principal"] = { id: "ocid1.user.oc1..u", type: "user", groups: [{ id: "ocid1.group.oc1..ops", name: "Ops" }] };
const instance: OciRequest["principal"] = {
  id: "ocid1.instance.oc1.fra.i",
  type: "instance",
  dynamicGroups: [{ id: "ocid1.dynamicgroup.oc1..a", name: "agents" }],
};
const del = (principal: OciRequest["principal"]): OciRequest => ({
  principal,
  verb: "manage",
  resourceTypes: ["objects", "object-family"],
  permission: "OBJECT_DELETE",
});

describe("OCI conditions", () => {
  it("a variable that does not apply to the request makes the condition false (conditions.htm)", () => {
    expect(evaluateCondition("request.groups.id != 'ocid1.group.oc1..x'", del(user))).toBe(true);
    expect(evaluateCondition("request.groups.id != 'ocid1.group.oc1..x'", del(instance))).toBe(false);
    expect(evaluateCondition("request.principal.id != 'ocid1.user.oc1..x'", del(instance))).toBe(true);
  });

  it("set variables: = holds when the set contains the value, != when it does not; matching ignores case; patterns", () => {
    const req = { ...del(user), target: { "target.policy.type": ["allow", "deny"] } };
    expect(evaluateCondition("target.policy.type='DENY'", req)).toBe(true);
    expect(evaluateCondition("target.policy.type!='deny'", req)).toBe(false);
    expect(evaluateCondition("request.permission = /*_DELETE/", req)).toBe(true);
    expect(evaluateCondition("request.permission = /OBJECT_*/", req)).toBe(true);
    expect(evaluateCondition("all {request.permission = /*_DELETE/, request.operation = 'DeleteObject'}", req)).toBe(false);
    expect(evaluateCondition("any {request.permission = /*_DELETE/, request.operation = 'DeleteObject'}", req)).toBe(true);
  });
});

describe("OCI deny evaluation", () => {
  it("denies the subject it names, by verb level (deny on read also blocks manage), and spares others", () => {
    expect(evaluateOciDeny(["deny group Ops to read object-family in tenancy"], del(user)).denied).toBe(true);
    expect(evaluateOciDeny(["deny group Other to manage object-family in tenancy"], del(user)).denied).toBe(false);
    expect(evaluateOciDeny(["deny dynamic-group agents to manage objects in tenancy"], del(instance)).denied).toBe(true);
    expect(evaluateOciDeny(["deny dynamic-group agents to manage objects in tenancy"], del(user)).denied).toBe(false);
    expect(evaluateOciDeny(["deny any-user to {OBJECT_DELETE} in tenancy"], del(instance)).denied).toBe(true);
  });

  it("never denies a member of the default domain's Administrators group (denypolicies.htm)", () => {
    const d = evaluateOciDeny(["deny any-user to manage all-resources in tenancy"], del({ ...user, defaultDomainAdministrator: true }));
    expect(d).toMatchObject({ denied: false, adminExempt: true });
  });
});

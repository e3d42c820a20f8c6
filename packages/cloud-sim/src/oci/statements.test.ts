import { describe, expect, it } from "vitest";
import { parseStatement } from "./statements.ts";

describe("parseStatement", () => {
  it.each([
    "Allow group Admins to manage all-resources in tenancy",
    "allow group 'Default'/'NetworkAdmins' to manage virtual-network-family in compartment Network",
    "Allow group A, group B to read buckets in compartment Prod:Data",
    "Allow dynamic-group id ocid1.dynamicgroup.oc1..aaaaaaaaabc to use instance-family in compartment id ocid1.compartment.oc1..aaaaaaaaxyz",
    "Allow any-user to inspect compartments in tenancy where request.principal.type = 'instance'",
    "Allow service cloudguard to read all-resources in tenancy",
    "Allow group A to {BUCKET_READ, OBJECT_INSPECT} in compartment Data",
    "Deny group Agents to manage buckets in compartment Prod where any {request.permission = 'BUCKET_DELETE', request.permission = 'OBJECT_DELETE'}",
    "Define tenancy Partner as ocid1.tenancy.oc1..aaaaaaaapartner",
    "Endorse group Ops to manage buckets in tenancy Partner",
  ])("accepts %s", (s) => {
    const r = parseStatement(s);
    expect(r.ok, r.ok ? "" : r.reason).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["Permit group A to read buckets in tenancy", "'Allow'"],
    ["Allow group A read buckets in tenancy", "expected 'to'"],
    ["Allow group A to destroy buckets in tenancy", "unknown verb"],
    ["Allow group A to read buckets", "expected 'in'"],
    ["Allow group A to read buckets in region", "'tenancy' or 'compartment'"],
    ["Allow group A to read buckets in compartment", "compartment name"],
    ["Allow group A to read buckets in tenancy where", "condition"],
    ["Allow group A to read buckets in tenancy extra", "'where'"],
    ["Allow group A to {bucket_read} in tenancy", "permission list"],
    ["Allow group A to read buckets in compartment id not-an-ocid", "OCID"],
    ["Allow group 'A to read buckets in tenancy", "unterminated quote"],
    ["Allow group A to read buckets in tenancy where (x = 1", "parentheses"],
  ])("rejects %j", (s, reason) => {
    const r = parseStatement(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it("extracts the location", () => {
    const r = parseStatement("Allow group A to read buckets in compartment Prod:Data");
    expect(r.ok && r.statement.location).toEqual({ kind: "compartmentPath", path: ["Prod", "Data"] });
    const d = parseStatement("DENY any-user to manage policies in tenancy");
    expect(d.ok && d.statement.effect).toBe("deny");
  });
});

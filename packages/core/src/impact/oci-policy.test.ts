import { describe, expect, it } from "vitest";
import { evaluateOciDeny, type OciRequest, type OciRequestPrincipal } from "@parapet/cloud-sim/oci/authorize";
import { renderOciStatement } from "@parapet/providers/oci/packing";
import { listControls } from "../catalog/catalog.ts";
import { compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { ociRequestMatching } from "../testing/oci-requests.ts";
import { evaluateOciDenyStatements, parseOciDenyStatement, type TOciPolicyRequest } from "./oci-policy.ts";

/**
 * Two implementations of OCI's deny evaluation — the simulator's (cloud-sim/src/oci/authorize.ts) and
 * impact's (oci-policy.ts) — must agree on every statement the catalog compiles, for every principal
 * and request variant below. A request here is complete (nothing unlogged), so impact must never
 * answer "unknown".
 */

const CONNECTOR = { id: SCENARIO_PRINCIPALS.oci.connector.groupIds[0], name: "ParapetConnector" };
const BREAK_GLASS = { id: SCENARIO_PRINCIPALS.oci.breakGlass.groupIds[0], name: "BreakGlass" };
const CONNECTOR_INSTANCE = "ocid1.instance.oc1.eu-frankfurt-1.connector";
const dg = (name: string) => ({ id: `ocid1.dynamicgroup.oc1..${name}`, name });
const grp = (name: string) => ({ id: `ocid1.group.oc1..${name.toLowerCase()}`, name });

const PRINCIPALS: Record<string, OciRequestPrincipal> = {
  operator: { id: "ocid1.user.oc1..ops", type: "user", groups: [grp("Operators")] },
  "non-prod user": { id: "ocid1.user.oc1..np", type: "user", groups: [grp("NonProd")] },
  "user in no group": { id: "ocid1.user.oc1..lonely", type: "user", groups: [] },
  "connector user": { id: "ocid1.user.oc1..connector", type: "user", groups: [CONNECTOR] },
  "break-glass user": { id: "ocid1.user.oc1..bg", type: "user", groups: [BREAK_GLASS, grp("NonProd")] },
  administrator: { id: "ocid1.user.oc1..admin", type: "user", groups: [grp("Administrators")], defaultDomainAdministrator: true },
  "agent instance": { id: "ocid1.instance.oc1.eu-frankfurt-1.agent", type: "instance", dynamicGroups: [dg("parapet-agents")] },
  "worker instance": { id: "ocid1.instance.oc1.eu-frankfurt-1.worker", type: "instance", dynamicGroups: [dg("workers")] },
  "mcp function": { id: "ocid1.fnfunc.oc1.eu-frankfurt-1.mcp", type: "resource", dynamicGroups: [dg("parapet-mcp-servers")] },
  "other function": { id: "ocid1.fnfunc.oc1.eu-frankfurt-1.fn", type: "resource", dynamicGroups: [] },
  "connector instance": { id: CONNECTOR_INSTANCE, type: "instance", dynamicGroups: [dg("parapet-agents"), dg("parapet-mcp-servers")] },
};

type TVariant = (r: Omit<OciRequest, "principal">) => Omit<OciRequest, "principal">;
// Every real request checks some permission, so there is no "no permission" variant.
const VARIANTS: Record<string, TVariant> = {
  "the request the statement is about": (r) => r,
  "another permission": (r) => ({ ...r, permission: "BUCKET_READ" }),
  "a lower verb": (r) => ({ ...r, verb: "read" }),
  inspect: (r) => ({ ...r, verb: "inspect" }),
  "another resource type": (r) => ({ ...r, resourceTypes: ["buckets", "object-family"] }),
  "approved region": (r) => ({ ...r, region: "FRA" }),
  "other region": (r) => ({ ...r, region: "IAD" }),
  "no region": ({ region: _r, ...r }) => r,
  "another operation": (r) => ({ ...r, operation: "ListLogGroups" }),
  "another tag namespace": (r) => ({ ...r, target: { ...r.target, "target.tag-namespace.name": "finance" } }),
  "no target variables": (r) => ({ ...r, target: {} }),
};

/** The same request, in impact's terms: everything known, absent variables do not apply. */
function asImpact(req: OciRequest): TOciPolicyRequest {
  const p = req.principal;
  const vars: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(req.target ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  if (req.operation !== undefined) vars["request.operation"] = req.operation;
  if (req.region !== undefined) vars["request.region"] = req.region;
  return {
    principal: {
      id: p.id,
      type: p.type,
      groups: p.type === "user" ? (p.groups ?? []) : [],
      dynamicGroups: p.type === "user" ? [] : (p.dynamicGroups ?? []),
    },
    ...(req.permission !== undefined ? { permission: req.permission } : {}),
    verb: req.verb,
    resourceTypes: req.resourceTypes,
    variable: (name) => (name in vars ? { value: vars[name] as string | string[] } : "not-applicable"),
  };
}

const CLASS_VARIANTS: Record<string, unknown> = {
  "classes by group": SCENARIO_PRINCIPALS.oci,
  "connector also an instance": {
    ...SCENARIO_PRINCIPALS.oci,
    connector: { ...SCENARIO_PRINCIPALS.oci.connector, principalIds: [CONNECTOR_INSTANCE] },
  },
  "classes by OCID only": {
    connector: {
      groups: ["ParapetConnector"],
      dynamicGroups: [],
      groupIds: [],
      principalIds: ["ocid1.user.oc1..connector", CONNECTOR_INSTANCE],
    },
    breakGlass: { groups: ["BreakGlass"], dynamicGroups: [], groupIds: [], principalIds: ["ocid1.user.oc1..bg"] },
  },
};

function compiledStatements(): Array<{ where: string; line: string }> {
  const out: Array<{ where: string; line: string }> = [];
  for (const [variant, principals] of Object.entries(CLASS_VARIANTS)) {
    for (const control of listControls()) {
      const f = compileControl(control, {
        cloud: "oci",
        mode: "enforce",
        workspaceId: SCENARIO_WORKSPACE_ID,
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals,
        facts: SCENARIO_FACTS.oci,
      }).fragment;
      if (f.cloud !== "oci") throw new Error("oci fragment expected");
      for (const s of f.statements) out.push({ where: `${control.id} (${variant})`, line: renderOciStatement(s, "compartment prod") });
    }
  }
  return out;
}

describe("impact's OCI deny evaluation agrees with the simulator's", () => {
  const statements = compiledStatements();

  it("covers every compiled statement of the catalog", () => {
    expect(statements.length).toBeGreaterThan(40);
  });

  it("gives the same verdict for every statement × principal × request variant", () => {
    const disagreements: string[] = [];
    let compared = 0;
    let denied = 0;
    for (const { where, line } of statements) {
      const parsed = parseOciDenyStatement(line);
      for (const [vName, variant] of Object.entries(VARIANTS)) {
        const base = variant(ociRequestMatching(line));
        for (const [pName, principal] of Object.entries(PRINCIPALS)) {
          const req: OciRequest = { ...base, principal };
          const sim = evaluateOciDeny([line], req).denied;
          const mine = evaluateOciDenyStatements([parsed], asImpact(req));
          compared++;
          if (sim) denied++;
          if (mine.verdict === "unknown" || (mine.verdict === "denied") !== sim) {
            disagreements.push(`${where}: ${pName}, ${vName}: simulator ${sim ? "denied" : "allowed"}, impact ${mine.verdict} — ${line}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBe(statements.length * Object.keys(VARIANTS).length * Object.keys(PRINCIPALS).length);
    // Both outcomes occur, so the comparison is not vacuous.
    expect(denied).toBeGreaterThan(100);
    expect(compared - denied).toBeGreaterThan(100);
  });

  it("agrees over each control's statements taken together", () => {
    const byControl = new Map<string, string[]>();
    for (const s of statements) byControl.set(s.where, [...(byControl.get(s.where) ?? []), s.line]);
    for (const [where, lines] of byControl) {
      const parsed = lines.map(parseOciDenyStatement);
      for (const line of lines) {
        for (const [pName, principal] of Object.entries(PRINCIPALS)) {
          const req: OciRequest = { ...ociRequestMatching(line), principal };
          expect(evaluateOciDenyStatements(parsed, asImpact(req)).verdict === "denied", `${where} ${pName} ${line}`).toBe(
            evaluateOciDeny(lines, req).denied,
          );
        }
      }
    }
  });
});

describe("what impact cannot know stays unknown, and only where it matters", () => {
  const line =
    "deny any-user to manage keys in compartment prod where all {request.permission = 'KEY_DELETE', request.groups.id != 'ocid1.group.oc1..aaaaaaaabreakglass'}";
  const st = parseOciDenyStatement(line);
  const req = (over: Partial<TOciPolicyRequest>): TOciPolicyRequest => ({
    principal: { id: "ocid1.user.oc1..u", type: "user" },
    permission: "KEY_DELETE",
    verb: "manage",
    resourceTypes: ["keys"],
    variable: () => "not-applicable",
    ...over,
  });

  it("a user's groups not known: unknown (they decide the exemption and the Administrators exemption)", () => {
    const r = evaluateOciDenyStatements([st], req({}));
    expect(r.verdict === "unknown" && r.why.reason).toBe("group-membership-unknown");
  });

  it("a permission that cannot be the one denied: allowed without knowing the groups", () => {
    expect(evaluateOciDenyStatements([st], req({ permission: "KEY_READ", verb: "read" })).verdict).toBe("allowed");
  });

  it("an operation whose permission is not known: unknown-permission", () => {
    const {
      permission: _p,
      verb: _v,
      resourceTypes: _r,
      ...rest
    } = req({ principal: { id: "ocid1.user.oc1..u", type: "user", groups: [] } });
    const r = evaluateOciDenyStatements([st], rest);
    expect(r.verdict === "unknown" && r.why.reason).toBe("unknown-permission");
  });

  it("a dynamic-group statement and an instance whose dynamic groups are not known: unknown", () => {
    const dyn = parseOciDenyStatement(
      "deny dynamic-group parapet-agents to manage keys in compartment prod where request.permission = 'KEY_DELETE'",
    );
    const r = evaluateOciDenyStatements([dyn], req({ principal: { id: "ocid1.instance.oc1.x.i", type: "instance" } }));
    expect(r.verdict === "unknown" && r.why.reason).toBe("group-membership-unknown");
    // A user is never in a dynamic group: decided without facts.
    expect(evaluateOciDenyStatements([dyn], req({})).verdict).toBe("allowed");
  });

  it("refuses what is not a deny statement", () => {
    expect(() => parseOciDenyStatement("allow group A to manage keys in tenancy")).toThrow(/not an OCI deny statement/);
  });
});

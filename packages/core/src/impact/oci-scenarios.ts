/**
 * `oci-request` scenarios as the OCI impact evaluator sees them: who the actor is in OCI terms (a user
 * in groups, an instance or resource principal in dynamic groups), the call as an `AuditEvent`, and
 * the facts `lookupPrincipals` would answer. runScenarios judges scenarios through here, so a
 * guardrail's proof and its replayed impact share one evaluator.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import { OCI_OPERATIONS, ociRegionKey } from "@parapet/providers/oci/types";
import type { TOciPrincipalRef, TPrincipalClassesByCloud } from "../catalog/principals.ts";
import type { TScenario, TScenarioActor } from "../catalog/types.ts";
import type { TOciGroupRef } from "./oci-policy.ts";
import { ociImpact } from "./oci.ts";
import type { TImpactTarget, TImpactVerdict } from "./types.ts";

export type TOciRequestScenario = Extract<TScenario<unknown>, { kind: "oci-request" }>;
type TOciClasses = TPrincipalClassesByCloud["oci"];

/** The compartment scenarios call into: the one the guardrail attaches to, and one outside its scope. */
export const OCI_SCENARIO_COMPARTMENTS = {
  prod: "ocid1.compartment.oc1..aaaaaaaascenarioprod",
  other: "ocid1.compartment.oc1..aaaaaaaascenariodev",
} as const;
export const OCI_SCENARIO_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaexampletenancy";

export interface TOciScenarioPrincipal {
  id: string;
  type: "user" | "instance" | "resource";
  name: string;
  /** User groups (users) or dynamic groups (instance and resource principals). */
  groups: TOciGroupRef[];
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
const synthGroup = (kind: "group" | "dynamicgroup", name: string): TOciGroupRef => ({
  id: `ocid1.${kind}.oc1..scenario${slug(name)}`,
  name,
});

/** A class's user groups with their OCIDs where the class names them (connector and break-glass do). */
function classGroups(ref: TOciPrincipalRef): TOciGroupRef[] {
  return ref.groups.map((name, i) => ({ id: ref.groupIds[i] ?? synthGroup("group", name).id, name }));
}

/** The principal a class member signs in as: an instance/resource principal of its dynamic groups, else a user of its groups. */
function member(ref: TOciPrincipalRef, who: string, workload: "instance" | "resource"): TOciScenarioPrincipal {
  if (ref.dynamicGroups.length > 0) {
    const id =
      workload === "instance" ? `ocid1.instance.oc1.eu-frankfurt-1.scenario${who}` : `ocid1.fnfunc.oc1.eu-frankfurt-1.scenario${who}`;
    return { id, type: workload, name: who, groups: ref.dynamicGroups.map((n) => synthGroup("dynamicgroup", n)) };
  }
  if (ref.groups.length > 0) return { id: `ocid1.user.oc1..scenario${who}`, type: "user", name: who, groups: classGroups(ref) };
  const id = ref.principalIds[0];
  if (!id) throw new Error(`OCI principal class for ${who} names no group, dynamic group or principal`);
  const kind = /^ocid1\.([a-z]+)\./.exec(id)?.[1];
  return { id, type: kind === "user" ? "user" : kind === "instance" ? "instance" : "resource", name: who, groups: [] };
}

/** Who a scenario actor is on OCI; actors that have no OCI meaning (root, other organisations) are refused. */
export function ociScenarioPrincipal(actor: TScenarioActor, classes: TOciClasses): TOciScenarioPrincipal {
  switch (actor) {
    case "agent":
      return member(classes.agents, "agent", "instance");
    case "mcp-server":
      return member(classes.mcpServers, "mcpserver", "resource");
    case "non-prod":
      return member(classes.nonProd, "nonprod", "instance");
    case "connector":
      return member(classes.connector, "connector", "instance");
    case "break-glass":
      return member(classes.breakGlass, "breakglass", "instance");
    case "human":
      return { id: "ocid1.user.oc1..scenariohuman", type: "user", name: "operator", groups: [synthGroup("group", "Operators")] };
    case "admin":
      return { id: "ocid1.user.oc1..scenarioadmin", type: "user", name: "admin", groups: [synthGroup("group", "Administrators")] };
    default:
      throw new Error(`scenario actor "${actor}" has no OCI meaning`);
  }
}

/** What `lookupPrincipals` answers for the actor (the evaluator's only source of group membership). */
export function ociScenarioFacts(p: TOciScenarioPrincipal): Map<string, PrincipalFacts> {
  return new Map([[p.id, { id: p.id, found: true, groups: p.groups.map((g) => g.id), groupNames: p.groups.map((g) => g.name) }]]);
}

/** The scenario's call as a normalised Audit entry, carrying everything the scenario states. */
function ociScenarioEvent(s: TOciRequestScenario, p: TOciScenarioPrincipal): AuditEvent {
  const op = OCI_OPERATIONS[s.operation];
  const compartment = s.inScope === false ? OCI_SCENARIO_COMPARTMENTS.other : OCI_SCENARIO_COMPARTMENTS.prod;
  const region = ociRegionKey(s.region ?? "eu-frankfurt-1");
  return {
    cloud: "oci",
    id: `scenario-${slug(s.name)}`,
    time: "2026-12-01T10:00:00.000Z",
    principal: { id: p.id, type: p.type, name: p.name, account: OCI_SCENARIO_TENANCY },
    action: s.operation,
    resource: "",
    nodeExternalId: compartment,
    plane: "management",
    outcome: "success",
    context: {
      "request.operation": s.operation,
      "request.principal.id": p.id,
      "request.principal.type": p.type,
      "target.compartment.id": compartment,
      ...(op ? { "request.permission": op.permission } : {}),
      ...(region ? { "request.region": region } : {}),
      ...s.context,
    },
    ...(s.resource ? { request: { stateChange: { previous: null, current: s.resource } } } : {}),
  };
}

/**
 * Judges an `oci-request` scenario against a compiled fragment. A call outside the guardrail's
 * compartments meets none of its artifacts, so it is allowed without asking the evaluator.
 */
export async function judgeOciScenario(target: TImpactTarget<"oci">, s: TOciRequestScenario): Promise<TImpactVerdict> {
  if (!OCI_OPERATIONS[s.operation]) throw new Error(`scenario "${s.name}": operation ${s.operation} is not in OCI_OPERATIONS`);
  if (s.inScope === false) return { verdict: "allowed" };
  const p = ociScenarioPrincipal(s.actor, target.ctx.principals);
  return ociImpact.prepare(target).judge(ociScenarioEvent(s, p), ociScenarioFacts(p));
}

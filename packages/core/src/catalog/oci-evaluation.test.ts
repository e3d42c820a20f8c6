import { describe, expect, it } from "vitest";
import { evaluateOciDeny, type OciRequestPrincipal } from "@parapet/cloud-sim/oci/authorize";
import { ociRequestMatching } from "../testing/oci-requests.ts";
import { getControl } from "./catalog.ts";
import { compileControl } from "./compile.ts";
import { renderOciStatement } from "@parapet/providers/oci/packing";
import { OCI_INSTANCE_PRINCIPAL } from "./compilers/oci.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "./fixtures.ts";

/**
 * Compiled OCI deny statements evaluated the way OCI evaluates them (the simulator's evaluator, which
 * follows the Conditions and Deny Policies docs): who each statement really denies.
 */
function statements(controlId: string, principals: Record<string, unknown> = SCENARIO_PRINCIPALS.oci): string[] {
  const f = compileControl(getControl(controlId)!, {
    cloud: "oci",
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: {},
    principals,
    facts: SCENARIO_FACTS.oci,
  }).fragment;
  if (f.cloud !== "oci") throw new Error("oci fragment expected");
  return f.statements.map((s) => renderOciStatement(s, "compartment prod"));
}

/** A statement's rule without its exemptions: the head and the permission it is about. */
const ruleOf = (line: string) => `${line.split(" where ")[0]} ${/request\.permission = '[^']+'/.exec(line)?.[0] ?? ""}`;

/** The statements about users: all but the instance-principal twins. */
const forUsers = (lines: string[]) => lines.filter((l) => !l.includes(OCI_INSTANCE_PRINCIPAL));

/** Whether every statement denies `principal` the request it is about. */
function deniesEach(lines: string[], principal: OciRequestPrincipal): boolean[] {
  return lines.map((l) => evaluateOciDeny([l], { ...ociRequestMatching(l), principal }).denied);
}

const instanceIn = (dynamicGroup: string, id = "ocid1.instance.oc1.eu-frankfurt-1.agent1"): OciRequestPrincipal => ({
  id,
  type: "instance",
  dynamicGroups: [{ id: `ocid1.dynamicgroup.oc1..${dynamicGroup}`, name: dynamicGroup }],
});
const userIn = (...groups: Array<{ id: string; name: string }>): OciRequestPrincipal => ({
  id: "ocid1.user.oc1..someone",
  type: "user",
  groups,
});
const CONNECTOR_GROUP = { id: SCENARIO_PRINCIPALS.oci.connector.groupIds[0], name: "ParapetConnector" };
const ADMINS = { id: "ocid1.group.oc1..administrators", name: "Administrators" };

describe("OCI denies fire for instance and resource principals (dynamic groups)", () => {
  it("an agent instance in the agents dynamic group is denied every destructive permission", () => {
    const lines = statements("agent-no-destructive-actions");
    expect(lines.length).toBeGreaterThan(0);
    expect(deniesEach(lines, instanceIn("parapet-agents")).every(Boolean)).toBe(true);
  });

  it("an MCP server's resource principal in the MCP dynamic group is denied writes", () => {
    const lines = statements("mcp-servers-read-only");
    expect(deniesEach(lines, { ...instanceIn("parapet-mcp-servers"), type: "resource" }).every(Boolean)).toBe(true);
  });

  it("a connector or break-glass instance principal named by OCID stays exempt even inside the agents dynamic group", () => {
    const connectorInstance = "ocid1.instance.oc1.eu-frankfurt-1.connector";
    const lines = statements("agent-no-destructive-actions", {
      ...SCENARIO_PRINCIPALS.oci,
      connector: { ...SCENARIO_PRINCIPALS.oci.connector, principalIds: [connectorInstance] },
    });
    expect(deniesEach(lines, instanceIn("parapet-agents", connectorInstance)).some(Boolean)).toBe(false);
    expect(deniesEach(lines, instanceIn("parapet-agents")).every(Boolean)).toBe(true);
  });
});

describe("who OCI's tenancy-wide denies catch", () => {
  it("denies an ordinary user and spares the connector's group", () => {
    const lines = statements("backups-undeletable");
    expect(deniesEach(forUsers(lines), userIn({ id: "ocid1.group.oc1..ops", name: "Operators" })).every(Boolean)).toBe(true);
    expect(deniesEach(lines, userIn(CONNECTOR_GROUP)).some(Boolean)).toBe(false);
  });

  it("never denies a member of the default domain's Administrators group (OCI exempts them from every deny)", () => {
    for (const id of ["backups-undeletable", "restrict-regions", "audit-logging-locked", "protect-guardrail-labels"]) {
      const lines = statements(id);
      const admin = { ...userIn(ADMINS, { id: "ocid1.group.oc1..ops", name: "Operators" }), defaultDomainAdministrator: true };
      expect(deniesEach(lines, admin).some(Boolean), id).toBe(false);
      expect(
        forUsers(lines).every((l) => evaluateOciDeny([l], { ...ociRequestMatching(l), principal: admin }).adminExempt),
        id,
      ).toBe(true);
    }
  });

  it("catches instance principals while the exemption names user groups (each such deny has an instance twin), and once it names OCIDs only", () => {
    // On 7161419 every tenancy-wide deny excepted by user group missed all instance principals.
    for (const id of ["backups-undeletable", "restrict-regions", "audit-logging-locked", "protect-guardrail-labels"]) {
      const lines = statements(id);
      const caught = new Set(
        lines.filter((l) => evaluateOciDeny([l], { ...ociRequestMatching(l), principal: instanceIn("workers") }).denied).map(ruleOf),
      );
      expect([...caught].sort(), id).toEqual([...new Set(lines.map(ruleOf))].sort());
      // The twin never catches a user, so the connector's and break-glass's groups stay spared.
      expect(deniesEach(lines, userIn(CONNECTOR_GROUP)).some(Boolean), id).toBe(false);
    }
    // A connector that signs in as an instance principal is spared by its OCID in the twin too.
    const connectorInstance = "ocid1.instance.oc1.eu-frankfurt-1.connector";
    const withInstanceConnector = statements("backups-undeletable", {
      ...SCENARIO_PRINCIPALS.oci,
      connector: { ...SCENARIO_PRINCIPALS.oci.connector, principalIds: [connectorInstance] },
    });
    expect(deniesEach(withInstanceConnector, instanceIn("workers", connectorInstance)).some(Boolean)).toBe(false);
    // Resource principals (functions, OKE workloads) carry other types: still the stated gap.
    expect(deniesEach(statements("backups-undeletable"), { ...instanceIn("workers"), type: "resource" }).some(Boolean)).toBe(false);
    const byOcid = statements("backups-undeletable", {
      connector: { groups: ["ParapetConnector"], dynamicGroups: [], groupIds: [], principalIds: ["ocid1.user.oc1..connector"] },
      breakGlass: { groups: ["BreakGlass"], dynamicGroups: [], groupIds: [], principalIds: ["ocid1.user.oc1..breakglass"] },
    });
    expect(deniesEach(byOcid, instanceIn("workers")).every(Boolean)).toBe(true);
    expect(deniesEach(byOcid, { id: "ocid1.user.oc1..connector", type: "user", groups: [] }).some(Boolean)).toBe(false);
  });
});

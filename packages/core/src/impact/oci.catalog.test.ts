import { describe, expect, it } from "vitest";
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import { parseOciAuditRecord } from "@parapet/providers/oci/audit-records";
import { OCI_OPERATIONS } from "@parapet/providers/oci/types";
import { listControls } from "../catalog/catalog.ts";
import { buildContext, compileControl, parseParams } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { scenariosOf } from "../catalog/types.ts";
import { ociAuditRecord } from "../testing/oci-audit-events.ts";
import { ociImpact } from "./oci.ts";
import {
  OCI_SCENARIO_COMPARTMENTS,
  ociScenarioFacts,
  ociScenarioPrincipal,
  type TOciRequestScenario,
  type TOciScenarioPrincipal,
} from "./oci-scenarios.ts";
import type { TImpactTarget, TImpactVerdict } from "./types.ts";

/**
 * Issue 16's proof for OCI: every `oci-request` scenario of the catalog, rendered as the OCI Audit
 * event the call would leave, parsed by the provider's reader and judged by the impact evaluator as
 * the replay does it (scope first, facts only for the principals the evaluator asks about), comes out
 * as the scenario expects — or unjudgeable, with the reason, where Audit does not record what the
 * artifact tests.
 */

function target(controlId: string, principals: unknown = SCENARIO_PRINCIPALS.oci): TImpactTarget<"oci"> {
  const control = listControls().find((c) => c.id === controlId)!;
  const input = {
    cloud: "oci" as const,
    mode: "enforce" as const,
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: {},
    principals,
    facts: SCENARIO_FACTS.oci,
  };
  return { fragment: compileControl(control, input).fragment, ctx: buildContext(input) };
}

function parse(record: Record<string, unknown>): AuditEvent {
  const r = parseOciAuditRecord(record);
  if (!r.ok) throw new Error(`the rendered audit event did not parse: ${r.reason}`);
  return r.event;
}

/** Replay of one event: in scope (the guardrail attaches to prod), facts looked up only where asked. */
async function replay(t: TImpactTarget<"oci">, event: AuditEvent, directory: ReadonlyMap<string, PrincipalFacts>): Promise<TImpactVerdict> {
  if (event.nodeExternalId !== OCI_SCENARIO_COMPARTMENTS.prod) return { verdict: "allowed" };
  const prepared = ociImpact.prepare(t);
  const asked = prepared.principalsNeedingFacts(event);
  const facts = new Map([...directory].filter(([id]) => asked.includes(id)));
  return prepared.judge(event, facts);
}

function call(s: TOciRequestScenario, p: TOciScenarioPrincipal, seq: number) {
  return ociAuditRecord({
    operation: s.operation,
    principal: p,
    compartmentId: s.inScope === false ? OCI_SCENARIO_COMPARTMENTS.other : OCI_SCENARIO_COMPARTMENTS.prod,
    region: s.region ?? "eu-frankfurt-1",
    ...(s.resource ? { resource: s.resource } : {}),
    seq,
  });
}

describe("every OCI request scenario of the catalog, replayed from its Audit event", () => {
  it("replays to the scenario's outcome, or is unjudgeable with a reason (exact counts)", async () => {
    const mismatches: string[] = [];
    const unjudgeable: string[] = [];
    let judged = 0;
    let seq = 0;
    for (const control of listControls()) {
      const t = target(control.id);
      for (const s of scenariosOf(control, parseParams(control, {}))) {
        if (s.kind !== "oci-request") continue;
        const p = ociScenarioPrincipal(s.actor, t.ctx.principals);
        const event = parse(call(s, p, ++seq));
        expect(event.principal.type, s.name).toBe(p.type);
        const v = await replay(t, event, ociScenarioFacts(p));
        if (v.verdict === "unjudgeable") {
          unjudgeable.push(`${control.id}: ${s.name} — ${v.reason}: ${v.detail ?? ""}`);
          continue;
        }
        judged++;
        if (v.verdict !== s.expect) mismatches.push(`${control.id}: ${s.name}: expected ${s.expect}, replay ${v.verdict}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Audit does not record the tag namespaces a call set (target.tag-namespace.name): the scenarios
    // decided by the namespace cannot be judged from the log (the connector's is: it is exempt anyway).
    expect(unjudgeable).toEqual([
      "protect-guardrail-labels: a person cannot set a tag of the guarded namespace — missing-context: target.tag-namespace.name (the tag namespaces a request sets are not logged)",
      "protect-guardrail-labels: an agent's instance principal cannot set a tag of the guarded namespace — missing-context: target.tag-namespace.name (the tag namespaces a request sets are not logged)",
      "protect-guardrail-labels: other namespaces stay usable — missing-context: target.tag-namespace.name (the tag namespaces a request sets are not logged)",
    ]);
    expect(judged).toBe(seq - 3);
    expect(seq).toBe(63);
  });

  it("judges identical requests alike: the dedup key ignores the event id and time, not what decides", () => {
    const t = target("restrict-regions");
    const prepared = ociImpact.prepare(t);
    const human = ociScenarioPrincipal("human", t.ctx.principals);
    const s = (region: string): TOciRequestScenario => ({
      kind: "oci-request",
      cloud: "oci",
      name: "x",
      actor: "human",
      operation: "DeleteBucket",
      region,
      expect: "denied",
    });
    const a = parse(call(s("us-ashburn-1"), human, 1));
    const b = parse(call(s("us-ashburn-1"), human, 2));
    const c = parse(call(s("eu-frankfurt-1"), human, 3));
    expect(a.id).not.toBe(b.id);
    expect(prepared.dedupKey(a)).toBe(prepared.dedupKey(b));
    expect(prepared.dedupKey(a)).not.toBe(prepared.dedupKey(c));
  });

  it("asks for a user's groups only when they decide, and never for a dynamic-group statement's user", async () => {
    const t = target("agent-no-destructive-actions");
    const prepared = ociImpact.prepare(t);
    const agent = ociScenarioPrincipal("agent", t.ctx.principals);
    const human = ociScenarioPrincipal("human", t.ctx.principals);
    const del = (p: TOciScenarioPrincipal) =>
      parse(call({ kind: "oci-request", cloud: "oci", name: "d", actor: "agent", operation: "DeleteBucket", expect: "denied" }, p, 1));
    // A user is never in a dynamic group: no facts needed.
    expect(prepared.principalsNeedingFacts(del(human))).toEqual([]);
    // An instance principal's dynamic groups come from matching rules: asked for, and without facts unjudgeable.
    expect(prepared.principalsNeedingFacts(del(agent))).toEqual([agent.id]);
    expect(await prepared.judge(del(agent), new Map())).toMatchObject({ verdict: "unjudgeable", reason: "group-membership-unknown" });
    expect(await prepared.judge(del(agent), ociScenarioFacts(agent))).toMatchObject({ verdict: "denied" });
  });

  it("answers unknown-permission for an operation outside the cited table, never a guess", async () => {
    const t = target("restrict-regions");
    const human = ociScenarioPrincipal("human", t.ctx.principals);
    const event = parse(
      call(
        {
          kind: "oci-request",
          cloud: "oci",
          name: "u",
          actor: "human",
          operation: "CreateReplicationPolicy",
          region: "us-ashburn-1",
          expect: "denied",
        },
        human,
        1,
      ),
    );
    expect(await replay(t, event, ociScenarioFacts(human))).toMatchObject({ verdict: "unjudgeable", reason: "unknown-permission" });
  });
});

describe("lockout: the connector and break-glass", () => {
  const POLICY_CHANGES = ["CreatePolicy", "UpdatePolicy", "DeletePolicy"];
  const REGIONS = ["eu-frankfurt-1", "us-ashburn-1"];

  /** The connector user as it really is: in a group the principal classes may or may not name. */
  const connectorUser = (group: { id: string; name: string }): TOciScenarioPrincipal => ({
    id: "ocid1.user.oc1..realconnector",
    type: "user",
    name: "parapet-connector",
    groups: [group],
  });

  it("with a connector class naming the wrong group, the connector's own policy change is judged denied", async () => {
    // The classes say ParapetConnector (ocid1.group.oc1..aaaaaaaaconnector); the user is really in another group.
    const real = { id: "ocid1.group.oc1..aaaaaaaaparapetops", name: "ParapetOps" };
    const user = connectorUser(real);
    const t = target("restrict-regions");
    const event = parse(
      ociAuditRecord({ operation: "UpdatePolicy", principal: user, compartmentId: OCI_SCENARIO_COMPARTMENTS.prod, region: "us-ashburn-1" }),
    );
    const v = await replay(t, event, ociScenarioFacts(user));
    expect(v).toMatchObject({ verdict: "denied" });
    expect(v.verdict === "denied" && v.by).toMatch(
      /^deny any-user to manage all-resources in compartment id .* where all \{request.region != 'AMS'/,
    );

    // With classes naming the group it is really in, the same call passes.
    const fixed = target("restrict-regions", {
      ...SCENARIO_PRINCIPALS.oci,
      connector: { groups: ["ParapetOps"], dynamicGroups: [], groupIds: [real.id], principalIds: [] },
    });
    expect(await replay(fixed, event, ociScenarioFacts(user))).toEqual({ verdict: "allowed" });
  });

  it("with correct classes, no guardrail of the catalog denies the connector or break-glass any call", async () => {
    const denied: string[] = [];
    let judged = 0;
    for (const control of listControls()) {
      const t = target(control.id);
      for (const actor of ["connector", "break-glass"] as const) {
        const p = ociScenarioPrincipal(actor, t.ctx.principals);
        for (const operation of Object.keys(OCI_OPERATIONS)) {
          for (const region of REGIONS) {
            const event = parse(ociAuditRecord({ operation, principal: p, compartmentId: OCI_SCENARIO_COMPARTMENTS.prod, region }));
            const v = await replay(t, event, ociScenarioFacts(p));
            judged++;
            if (v.verdict === "denied") denied.push(`${control.id}: ${actor} ${operation} in ${region}: ${v.by}`);
          }
        }
      }
    }
    expect(denied).toEqual([]);
    expect(judged).toBe(listControls().length * 2 * Object.keys(OCI_OPERATIONS).length * REGIONS.length);
    // Policy changes are among the calls checked.
    expect(POLICY_CHANGES.every((op) => op in OCI_OPERATIONS)).toBe(true);
  });
});

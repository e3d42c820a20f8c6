/**
 * Issue 16, "done means": every request-shaped GCP scenario of the catalog (`gcp-request` and
 * `gcp-cel`), rendered as the Cloud Audit Logs entry the call would have written, parsed by the
 * provider's parser and judged by the GCP impact evaluator against the same compiled fragment, comes
 * out as the scenario expects — or unjudgeable with a reason, counted and listed here.
 */
import { describe, expect, it } from "vitest";
import type { PrincipalFacts } from "@parapet/providers/contract";
import { listControls } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { scenariosOf, type TGcpFragment, type TScenario } from "../catalog/types.ts";
import { gcpEventOf, gcpScenarioLogEntry } from "../testing/gcp-audit-entries.ts";
import { gcpImpact } from "./gcp.ts";
import { gcpScenarioActor, gcpScenarioEvent, type TGcpRequest } from "./gcp-scenario.ts";

function compiled(control: ReturnType<typeof listControls>[number], principals: unknown = SCENARIO_PRINCIPALS.gcp) {
  const input = {
    cloud: "gcp" as const,
    mode: "enforce" as const,
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: {},
    principals,
    facts: SCENARIO_FACTS.gcp,
  };
  const fragment = compileControl(control, input).fragment;
  const ctx = buildContext(input);
  return { fragment, ctx };
}

/** A `gcp-cel` scenario as the call that would submit its resource (the constraint's resource type). */
function celAsRequest(s: Extract<TScenario<unknown>, { kind: "gcp-cel" }>, fragment: TGcpFragment): TGcpRequest {
  const cc = fragment.customConstraints.find((c) => c.name.endsWith(s.constraint));
  if (!cc) throw new Error(`${s.name}: constraint ${s.constraint} not compiled`);
  const base = { kind: "gcp-request" as const, cloud: "gcp" as const, name: s.name, actor: "human" as const, expect: s.expect };
  if (cc.resourceTypes.includes("iam.googleapis.com/AllowPolicy")) {
    return {
      ...base,
      permission: "resourcemanager.projects.setIamPolicy",
      resource: "//cloudresourcemanager.googleapis.com/projects/prod-app",
      request: { "@type": "type.googleapis.com/google.iam.v1.SetIamPolicyRequest", resource: "projects/prod-app", policy: s.resource },
    };
  }
  if (cc.resourceTypes.includes("storage.googleapis.com/Bucket")) {
    return {
      ...base,
      permission: "storage.buckets.create",
      resource: "//storage.googleapis.com/projects/_/buckets/raw-data",
      request: s.resource,
    };
  }
  throw new Error(`${s.name}: no request renders resource types ${cc.resourceTypes.join(", ")}`);
}

interface TRow {
  control: string;
  name: string;
  expect: string;
  withFacts: string;
  withoutFacts: string;
}

async function replayCatalog(): Promise<TRow[]> {
  const rows: TRow[] = [];
  let n = 0;
  for (const control of listControls()) {
    const { fragment, ctx } = compiled(control);
    const prepared = gcpImpact.prepare({ fragment, ctx });
    for (const s of scenariosOf(control, control.params.parse({}))) {
      if (s.cloud !== "gcp" || (s.kind !== "gcp-request" && s.kind !== "gcp-cel")) continue;
      const req = s.kind === "gcp-cel" ? celAsRequest(s, fragment) : s;
      const actor = gcpScenarioActor(req.actor, ctx);
      if (!actor) throw new Error(`${control.id}: ${s.name}: no ${req.actor} on GCP`);
      const event = gcpEventOf(gcpScenarioLogEntry(req, actor, ++n));
      // The runner's event (catalog/scenarios.ts) is the parsed entry plus what the log never has (tags).
      const direct = gcpScenarioEvent(req, ctx, n)!.event;
      const { "resource.tags": _tags, ...directContext } = direct.context;
      expect({ ...event }, `${s.name}: runner and parser disagree`).toEqual({ ...direct, context: directContext });

      // With the facts lookupPrincipals gives for the principals the evaluator asks about.
      const asked = prepared.principalsNeedingFacts(event);
      const facts = new Map<string, PrincipalFacts>(asked.filter((id) => id === actor.facts.id).map((id) => [id, actor.facts]));
      const show = (v: Awaited<ReturnType<typeof prepared.judge>>): string =>
        v.verdict === "unjudgeable" ? `unjudgeable:${v.reason}` : v.verdict;
      rows.push({
        control: control.id,
        name: s.name,
        expect: s.expect,
        withFacts: show(await prepared.judge(event, facts)),
        withoutFacts: show(await prepared.judge(event, new Map())),
      });
    }
  }
  return rows;
}

describe("GCP impact replays the catalog", () => {
  it("every request-shaped GCP scenario replays to its expected outcome or is unjudgeable with a reason", async () => {
    const rows = await replayCatalog();
    const wrong = rows.filter((r) => !r.withFacts.startsWith("unjudgeable") && r.withFacts !== r.expect);
    expect(wrong).toEqual([]);
    const unjudgeable = rows.filter((r) => r.withFacts.startsWith("unjudgeable")).map((r) => `${r.control}: ${r.name} → ${r.withFacts}`);
    // The regulated-data fence is a tag condition (resource.matchTag): Cloud Audit Logs does not record
    // a resource's tags, so who the fence stops cannot be told from the log — only who it lets through.
    expect(unjudgeable).toEqual([
      "regulated-data-perimeter: someone outside the organisation reading a regulated object is denied → unjudgeable:missing-context",
      "regulated-data-perimeter: an outsider reading an object not labelled regulated is not fenced by the perimeter → unjudgeable:missing-context",
      "regulated-data-perimeter: a service account outside the organization (named like the connector) reading a regulated object is denied → unjudgeable:missing-context",
    ]);
    expect(rows.length).toBe(40);
    expect(rows.filter((r) => r.withFacts === r.expect).length).toBe(37);
  });

  it("without lookupPrincipals, memberships the entry cannot show are unjudgeable, never guessed", async () => {
    const rows = await replayCatalog();
    const byReason: Record<string, number> = {};
    for (const r of rows) if (r.withoutFacts.startsWith("unjudgeable")) byReason[r.withoutFacts] = (byReason[r.withoutFacts] ?? 0) + 1;
    // Agents, MCP servers, non-prod and break-glass are groups in the scenario classes; people are in
    // the organisation's Cloud Identity customer; an outside service account might be in a folder's set.
    expect(byReason).toEqual({
      "unjudgeable:group-membership-unknown": 12,
      "unjudgeable:customer-membership-unknown": 3,
      "unjudgeable:principal-set-membership-unknown": 1,
    });
    // Nothing judged without facts contradicts the scenario.
    expect(rows.filter((r) => !r.withoutFacts.startsWith("unjudgeable") && r.withoutFacts !== r.expect)).toEqual([]);
  });
});

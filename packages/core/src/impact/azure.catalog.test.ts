/**
 * Every Azure request scenario of the catalog, rendered as the Activity Log entries Azure would have
 * written for the call, parsed by the provider's parser and judged by the impact evaluator against the
 * same compiled fragment, replays to the scenario's expected outcome — or, where the entry cannot
 * show what the rule tests, to an unjudgeable verdict that is counted here exactly.
 */
import { parseAzureAuditExport } from "@parapet/providers/azure/audit-records";
import type { AuditEvent } from "@parapet/providers/contract";
import { describe, expect, it } from "vitest";
import { listControls } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import { scenariosOf, type TAzureFragment, type TControl } from "../catalog/types.ts";
import { activityLogEntries, ACTIVITY_SUBSCRIPTION, type TActivityCaller, type TActivityRequest } from "../testing/azure-activity-log.ts";
import { azureImpact } from "./azure.ts";
import type { TImpactVerdict } from "./types.ts";

const AGENT: TActivityCaller = {
  objectId: "a0a0a0a0-0000-4000-8000-00000000a9e1",
  appId: "a0a0a0a0-0000-4000-8000-0000000a99e1",
  groups: [SCENARIO_PRINCIPALS.azure.agents.groupObjectIds[0]],
};
const CONNECTOR: TActivityCaller = {
  objectId: "c0c0c0c0-0000-4000-8000-00000000c0c0",
  appId: SCENARIO_PRINCIPALS.azure.connector.appIds[0],
};
const BREAK_GLASS: TActivityCaller = {
  objectId: "b0b0b0b0-0000-4000-8000-00000000b0b0",
  upn: "break-glass@contoso.example",
  groups: [SCENARIO_PRINCIPALS.azure.breakGlass.groupObjectIds[0]],
};
const T0 = new Date("2026-11-20T10:00:00Z");

const INPUT = {
  cloud: "azure" as const,
  mode: "enforce" as const,
  workspaceId: SCENARIO_WORKSPACE_ID,
  guardrail: SCENARIO_GUARDRAIL,
  params: {},
  principals: SCENARIO_PRINCIPALS.azure,
  facts: SCENARIO_FACTS.azure,
};
const CTX = buildContext(INPUT);

function fragmentOf(control: TControl): TAzureFragment {
  return compileControl(control, INPUT).fragment;
}

/** Renders, exports as the list API's page, parses: exactly one event per call. */
function replayed(req: TActivityRequest): AuditEvent {
  const parsed = parseAzureAuditExport(JSON.stringify({ value: activityLogEntries(req) }));
  expect(parsed.skipped).toEqual({});
  expect(parsed.events).toHaveLength(1);
  return parsed.events[0]!;
}

async function judge(fragment: TAzureFragment, event: AuditEvent): Promise<TImpactVerdict> {
  const prepared = azureImpact.prepare({ fragment, ctx: CTX });
  expect(prepared.principalsNeedingFacts(event)).toEqual([]);
  return prepared.judge(event, new Map());
}

describe("Azure catalog replay", () => {
  it("replays every azure-policy scenario to its expected outcome, and counts what cannot be judged", async () => {
    let requests = 0;
    let notRequests = 0;
    const unjudgeable: string[] = [];
    const wrong: string[] = [];
    for (const control of listControls()) {
      const fragment = fragmentOf(control);
      for (const s of scenariosOf(control, control.params.parse({}))) {
        if (s.cloud !== "azure") continue;
        if (s.kind !== "azure-policy") {
          notRequests++;
          continue;
        }
        requests++;
        const { type, name, ...body } = s.resource as { type: string; name?: string } & Record<string, unknown>;
        const event = replayed({
          verb: s.action,
          type,
          name: name ?? "res",
          // A write logs its body; a delete has none.
          ...(s.action === "write" ? { body } : {}),
          caller: AGENT,
          time: T0,
        });
        expect(event.principal).toMatchObject({ id: AGENT.objectId, type: "app", groups: AGENT.groups });
        expect(event.nodeExternalId).toBe(ACTIVITY_SUBSCRIPTION);
        expect(event.action).toBe(`${type}/${s.action}`);
        const v = await judge(fragment, event);
        if (v.verdict === "unjudgeable") {
          unjudgeable.push(`${control.id}: ${s.name}: ${v.reason} (${v.detail ?? ""})`);
          // The only thing an Activity Log entry lacks for a catalog rule: the resource group's tags.
          expect(v.reason).toBe("missing-context");
          expect(v.detail).toMatch(/resourceGroup\(\)\.tags\['env'\]/);
          continue;
        }
        if (v.verdict !== s.expect) wrong.push(`${control.id}: ${s.name}: expected ${s.expect}, got ${JSON.stringify(v)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect({ requests, notRequests, unjudgeable: unjudgeable.length }).toEqual({ requests: 41, notRequests: 5, unjudgeable: 5 });
    // All five are protect-guardrail-labels: its rule compares a tag with the resource group's.
    expect(unjudgeable.every((u) => u.startsWith("protect-guardrail-labels:"))).toBe(true);
  });

  it("says no-request-body for a write whose entry did not log the body, but still judges what the type decides", async () => {
    const control = listControls().find((c) => c.id === "no-public-data")!;
    const f = fragmentOf(control);
    const storage = replayed({ verb: "write", type: "Microsoft.Storage/storageAccounts", name: "sa", caller: AGENT, time: T0 });
    expect(await judge(f, storage)).toMatchObject({ verdict: "unjudgeable", reason: "no-request-body" });
    expect(((await judge(f, storage)) as { detail: string }).detail).toContain("Microsoft.Storage/storageAccounts/allowBlobPublicAccess");
    // No rule of the control tests a web app: its type alone decides.
    const site = replayed({ verb: "write", type: "Microsoft.Web/sites", name: "app", caller: AGENT, time: T0 });
    expect(await judge(f, site)).toEqual({ verdict: "allowed" });
  });

  it("judges a PATCH by what it changes: a field it does not carry is unknown, not absent", async () => {
    const f = fragmentOf(listControls().find((c) => c.id === "no-public-data")!);
    const open = replayed({
      verb: "write",
      method: "PATCH",
      type: "Microsoft.Storage/storageAccounts",
      name: "sa",
      body: { properties: { allowBlobPublicAccess: true } },
      caller: AGENT,
      time: T0,
    });
    expect(await judge(f, open)).toEqual({ verdict: "denied", by: "gr_example-storage-public" });
    const closing = replayed({
      verb: "write",
      method: "PATCH",
      type: "Microsoft.Storage/storageAccounts",
      name: "sa",
      body: { properties: { allowBlobPublicAccess: false } },
      caller: AGENT,
      time: T0,
    });
    const v = await judge(f, closing);
    expect(v).toMatchObject({ verdict: "unjudgeable", reason: "missing-context" });
    expect((v as { detail: string }).detail).toContain("Microsoft.Storage/storageAccounts/publicNetworkAccess");
    // The same body as a PUT is the whole resource: publicNetworkAccess absent is not "Disabled".
    const put = replayed({
      verb: "write",
      type: "Microsoft.Storage/storageAccounts",
      name: "sa",
      body: { location: "westeurope", properties: { allowBlobPublicAccess: false } },
      caller: AGENT,
      time: T0,
    });
    expect(await judge(f, put)).toEqual({ verdict: "denied", by: "gr_example-storage-public" });
  });

  it("judges a resource group delete under cascadeBehaviors as unjudgeable (its contents are not logged)", async () => {
    const f = fragmentOf(listControls().find((c) => c.id === "backups-undeletable")!);
    const rg = replayed({
      verb: "delete",
      type: "Microsoft.Resources/subscriptions/resourceGroups",
      name: "rg-backup",
      caller: AGENT,
      time: T0,
    });
    expect(await judge(f, rg)).toMatchObject({ verdict: "unjudgeable", reason: "resource-group-contents" });
    // A control without denyAction has no cascade: the same delete is allowed.
    const regions = fragmentOf(listControls().find((c) => c.id === "restrict-regions")!);
    expect(await judge(regions, rg)).toEqual({ verdict: "allowed" });
  });

  it("refuses nothing in DoNotEnforce, and ignores POST actions and reads", async () => {
    const f = fragmentOf(listControls().find((c) => c.id === "agent-no-destructive-actions")!);
    const del = replayed({ verb: "delete", type: "Microsoft.Storage/storageAccounts", name: "sa", caller: AGENT, time: T0 });
    expect(await judge(f, del)).toMatchObject({ verdict: "denied", by: "gr_example-data-delete" });
    expect(await judge({ ...f, enforcementMode: "DoNotEnforce" }, del)).toEqual({ verdict: "allowed" });
    const listKeys = { ...del, action: "Microsoft.Storage/storageAccounts/listKeys/action" };
    expect(await judge(f, listKeys)).toEqual({ verdict: "allowed" });
  });

  it("dedups by what can change the verdict: type for deletes, type and body for writes, never the caller", () => {
    const control = listControls().find((c) => c.id === "no-public-data")!;
    const prepared = azureImpact.prepare({ fragment: fragmentOf(control), ctx: CTX });
    const a = replayed({ verb: "delete", type: "Microsoft.Storage/storageAccounts", name: "one", caller: AGENT, time: T0 });
    const b = replayed({ verb: "delete", type: "Microsoft.Storage/storageAccounts", name: "two", caller: BREAK_GLASS, time: T0 });
    expect(prepared.dedupKey(a)).toBe(prepared.dedupKey(b));
    const w1 = replayed({
      verb: "write",
      type: "Microsoft.Storage/storageAccounts",
      name: "x",
      body: { location: "westeurope", properties: { a: 1, b: 2 } },
      caller: AGENT,
      time: T0,
    });
    const w2 = replayed({
      verb: "write",
      type: "Microsoft.Storage/storageAccounts",
      name: "y",
      body: { properties: { b: 2, a: 1 }, location: "westeurope" },
      caller: CONNECTOR,
      time: T0,
    });
    const w3 = replayed({
      verb: "write",
      type: "Microsoft.Storage/storageAccounts",
      name: "y",
      body: { properties: { a: 2 }, location: "westeurope" },
      caller: AGENT,
      time: T0,
    });
    expect(prepared.dedupKey(w1)).toBe(prepared.dedupKey(w2));
    expect(prepared.dedupKey(w1)).not.toBe(prepared.dedupKey(w3));
    expect(prepared.dedupKey(a)).not.toBe(prepared.dedupKey(w1));
  });
});

describe("Azure lockout: the connector and break-glass", () => {
  /** The calls Parapet's own deploy and repair make (apply.ts / writes.ts), with the bodies they send. */
  const repairCalls = (f: TAzureFragment): TActivityRequest[] => {
    const def = f.policies[0]?.definition;
    return [
      ...(def
        ? [
            {
              verb: "write" as const,
              type: "Microsoft.Authorization/policyDefinitions",
              name: def.name,
              body: { properties: def.properties },
            },
          ]
        : []),
      {
        verb: "write",
        type: "Microsoft.Authorization/policySetDefinitions",
        name: "parapet-initiative",
        body: { properties: { policyType: "Custom", displayName: "Parapet guardrails", policyDefinitions: [] } },
      },
      {
        verb: "write",
        type: "Microsoft.Authorization/policyAssignments",
        name: "parapet-assignment",
        body: { properties: { displayName: "Parapet", enforcementMode: "Default", notScopes: [], parameters: {} } },
      },
      { verb: "delete", type: "Microsoft.Authorization/policyAssignments", name: "parapet-assignment" },
      {
        verb: "write",
        type: "Microsoft.Authorization/policyExemptions",
        name: "parapet-exemption",
        body: { properties: { exemptionCategory: "Waiver", expiresOn: "2026-12-31T00:00:00Z", policyDefinitionReferenceIds: [] } },
      },
      { verb: "delete", type: "Microsoft.Authorization/policyExemptions", name: "parapet-exemption" },
      { verb: "delete", type: "Microsoft.Authorization/policyDefinitions", name: "parapet-old-definition" },
    ].map((r) => ({ ...(r as Omit<TActivityRequest, "caller" | "time">), caller: CONNECTOR, time: T0 }));
  };

  it("never denies the connector's own deploy and repair calls, under any control", async () => {
    const denied: string[] = [];
    let judged = 0;
    for (const control of listControls()) {
      const f = fragmentOf(control);
      for (const call of repairCalls(f)) {
        const event = replayed(call);
        expect(event.principal).toMatchObject({ id: CONNECTOR.objectId, type: "app" });
        // What the replay's lockout check matches the connector class (appIds) against.
        expect(event.context["azure:appId"]).toBe(SCENARIO_PRINCIPALS.azure.connector.appIds[0]);
        const v = await judge(f, event);
        judged++;
        if (v.verdict !== "allowed") denied.push(`${control.id}: ${event.action}: ${JSON.stringify(v)}`);
      }
    }
    expect(denied).toEqual([]);
    expect(judged).toBeGreaterThan(listControls().length * 6);
  });

  it("denies break-glass and the connector alike on a protected delete: Azure Policy cannot exempt a principal", async () => {
    // This is what the replay's lockout stop must surface for agent-no-destructive-actions on Azure: the
    // control's gap says the block applies to every identity; recovery goes through a policy exemption.
    const f = fragmentOf(listControls().find((c) => c.id === "agent-no-destructive-actions")!);
    for (const caller of [BREAK_GLASS, CONNECTOR, AGENT]) {
      const e = replayed({ verb: "delete", type: "Microsoft.KeyVault/vaults", name: "kv", caller, time: T0 });
      expect(await judge(f, e)).toEqual({ verdict: "denied", by: "gr_example-data-delete" });
    }
    const bg = replayed({ verb: "delete", type: "Microsoft.KeyVault/vaults", name: "kv", caller: BREAK_GLASS, time: T0 });
    expect(bg.principal).toMatchObject({ id: BREAK_GLASS.objectId, type: "user", name: BREAK_GLASS.upn, groups: BREAK_GLASS.groups });
  });
});

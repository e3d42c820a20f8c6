import { createServer, type Server } from "node:http";
import { createSerializer, type OperationSpec } from "@azure/core-client";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APP, DEMO_READER_APP, seedAzureTenant, startAzureSim, type AzureEvent, type AzureSim, type DemoInfo } from "./index.ts";
import { armClient, failure, getSubscription, getTags, mgClient, policyClient } from "./test-clients.ts";

let sim: AzureSim;
let demo: DemoInfo;
let token: string;
let owner: string;

beforeAll(async () => {
  sim = await startAzureSim({ throttle: false });
  demo = sim.seedAzureDemo();
  token = sim.issueToken(DEMO_APP.appId);
  owner = sim.issueToken(sim.registerApp({ displayName: "owner", grants: [{ role: "Owner", scope: "/" }] }).appId);
});
afterAll(async () => {
  await sim.close();
});

describe("management groups", () => {
  it("lists groups, gets one with its ancestry and children, and 404s an unknown group", async () => {
    const mc = mgClient(sim, token);
    const names: string[] = [];
    for await (const g of mc.managementGroups.list()) names.push(g.name!);
    expect(names).toEqual(expect.arrayContaining([sim.tenantId, "platform", "identity", "landing-zones", "corp-prod", "ai-agents"]));
    expect(names).toHaveLength(11);

    const corp = await mc.managementGroups.get("corp-prod", { expand: "children" });
    expect(corp).toMatchObject({
      id: "/providers/Microsoft.Management/managementGroups/corp-prod",
      type: "Microsoft.Management/managementGroups",
      displayName: "Corp-Prod",
      tenantId: sim.tenantId,
    });
    expect(corp.details?.parent?.name).toBe("landing-zones");
    // path and ancestors only when asked for ($expand=path / ancestors), as GetManagementGroupWithExpand shows.
    expect(corp.details?.managementGroupAncestorsChain).toBeUndefined();
    const withAncestors = await mc.managementGroups.get("corp-prod", { expand: "ancestors" });
    expect(withAncestors.details?.managementGroupAncestorsChain?.map((a) => a.name)).toEqual(["landing-zones", sim.tenantId]);
    expect(withAncestors.children).toBeUndefined();
    expect(corp.children?.every((c) => c.type === "/subscriptions")).toBe(true);
    expect(corp.children).toHaveLength(6);

    const root = await mc.managementGroups.get(sim.tenantId, { expand: "children", recurse: true });
    expect(root.displayName).toBe("Tenant Root Group");
    const lz = root.children?.find((c) => c.name === "landing-zones");
    expect(lz?.children?.map((c) => c.name)).toEqual(["corp-prod", "corp-nonprod", "online"]);

    expect(await failure(mc.managementGroups.get("nope"))).toMatchObject({ statusCode: 404, code: "ManagementGroupNotFound" });
  });

  it("lists descendants with absolute nextLink paging", async () => {
    sim.configure({ pageSize: 7 });
    sim.resetCounters();
    const mc = mgClient(sim, token);
    const all: Array<{ name?: string; type?: string; parent?: string }> = [];
    for await (const d of mc.managementGroups.listDescendants(sim.tenantId)) all.push({ name: d.name, type: d.type, parent: d.parent?.id });
    sim.configure({ pageSize: 100 });
    expect(all).toHaveLength(10 + demo.subscriptions.length);
    expect(sim.counters().ManagementGroups_GetDescendants).toBe(Math.ceil(all.length / 7));
    const sub = demo.subscriptions.find((s) => s.managementGroup === "ai-agents")!;
    expect(all).toContainEqual({
      name: sub.subscriptionId,
      type: "/subscriptions",
      parent: "/providers/Microsoft.Management/managementGroups/ai-agents",
    });
    expect(all).toContainEqual({
      name: "identity",
      type: "Microsoft.Management/managementGroups",
      parent: "/providers/Microsoft.Management/managementGroups/platform",
    });
  });

  it("lists, gets and moves subscriptions under management groups", async () => {
    const mc = mgClient(sim, owner);
    const sandboxSubs: string[] = [];
    for await (const s of mc.managementGroupSubscriptions.listSubscriptionsUnderManagementGroup("sandbox")) sandboxSubs.push(s.name!);
    expect(sandboxSubs).toHaveLength(4);
    const moving = sandboxSubs[0]!;
    const got = await mc.managementGroupSubscriptions.getSubscription("sandbox", moving);
    expect(got).toMatchObject({
      parent: { id: "/providers/Microsoft.Management/managementGroups/sandbox" },
      state: "Active",
      tenant: sim.tenantId,
    });
    const moved = await mc.managementGroupSubscriptions.create("corp-nonprod", moving);
    expect(moved.parent?.id).toBe("/providers/Microsoft.Management/managementGroups/corp-nonprod");
    expect(await failure(mc.managementGroupSubscriptions.getSubscription("sandbox", moving))).toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
    await mc.managementGroupSubscriptions.delete("corp-nonprod", moving);
    expect((await mc.managementGroupSubscriptions.getSubscription(sim.tenantId, moving)).parent?.id).toBe(
      `/providers/Microsoft.Management/managementGroups/${sim.tenantId}`,
    );
    await mc.managementGroupSubscriptions.create("sandbox", moving);
    expect(await failure(mc.managementGroupSubscriptions.create("sandbox", "11111111-1111-1111-1111-111111111111"))).toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
    // The demo connector may read the hierarchy but not move subscriptions.
    const denied = await failure(mgClient(sim, token).managementGroupSubscriptions.create("sandbox", moving));
    expect(denied).toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    expect(denied.message).toContain("Microsoft.Management/managementGroups/subscriptions/write");
  });

  it("creates, renames and deletes a management group (long-running operations complete at once)", async () => {
    const mc = mgClient(sim, owner);
    const created = await mc.managementGroups.beginCreateOrUpdateAndWait("pp-new", {
      displayName: "New group",
      details: { parent: { id: "/providers/Microsoft.Management/managementGroups/platform" } },
    });
    expect(created.details?.parent?.name).toBe("platform");
    const renamed = await mc.managementGroups.update("pp-new", { displayName: "Renamed" });
    expect(renamed.displayName).toBe("Renamed");
    expect(await failure(mc.managementGroups.beginDeleteAndWait("platform"))).toMatchObject({
      statusCode: 400,
      code: "ManagementGroupHasChildren",
    });
    await mc.managementGroups.beginDeleteAndWait("pp-new");
    expect(await failure(mc.managementGroups.get("pp-new"))).toMatchObject({ statusCode: 404, code: "ManagementGroupNotFound" });
  });
});

describe("subscriptions and tags", () => {
  it("serves subscription tags on GET /subscriptions/{id} and on the tags/default resource", async () => {
    const pc = armClient(sim, token);
    const agent = demo.subscriptions.find((s) => s.managementGroup === "ai-agents")!;
    const sub = await getSubscription(pc, agent.subscriptionId);
    expect(sub).toMatchObject({
      subscriptionId: agent.subscriptionId,
      displayName: agent.displayName,
      state: "Enabled",
      tenantId: sim.tenantId,
    });
    expect(sub.tags).toMatchObject({ env: "prod", agent: "true" });
    const tags = await getTags(pc, agent.subscriptionId);
    expect(tags).toMatchObject({ name: "default", type: "Microsoft.Resources/tags", properties: { tags: { agent: "true" } } });
    sim.tagSubscription(agent.subscriptionId, { data: "regulated" });
    expect(((await getTags(pc, agent.subscriptionId)).properties as { tags: Record<string, string> }).tags.data).toBe("regulated");
    expect(await failure(getSubscription(pc, "22222222-2222-2222-2222-222222222222"))).toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
  });

  it("seeds 10,000 subscriptions under 500 management groups", () => {
    const r = seedAzureTenant(sim, { subscriptions: 10_000, managementGroups: 500, depth: 4 });
    expect(r.subscriptions).toBe(10_000 + demo.subscriptions.length);
    expect(r.managementGroups).toBe(500 + 11);
    const deepest = Math.max(...[...sim.core.state.mgs.keys()].map((k) => sim.core.state.mgDepth(k)));
    expect(deepest).toBeLessThanOrEqual(4);
    expect(sim.summary()).toMatchObject({ subscriptions: 10_000 + demo.subscriptions.length });
  });
});

describe("events and out-of-band changes", () => {
  let hook: Server;
  const received: AzureEvent[][] = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as AzureEvent[]);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    sim.configure({ webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`, secret: "s3cret" } });
  });
  afterAll(async () => {
    sim.configure({ webhook: undefined });
    await new Promise<void>((r) => hook.close(() => r()));
  });

  it("posts Event Grid write/delete events for SDK mutations and portal-style changes", async () => {
    const pc = policyClient(sim, token);
    const scope = "providers/Microsoft.Management/managementGroups/ai-agents";
    const d = await pc.policyDefinitions.createOrUpdateAtManagementGroup("ai-agents", "pp-ev", {
      policyRule: { if: { field: "type", equals: "Microsoft.Storage/storageAccounts" }, then: { effect: "deny" } },
      metadata: { parapetOwner: "ws_1" },
    });
    const a = await pc.policyAssignments.create(scope, "pp-ev", { policyDefinitionId: d.id!, metadata: { parapetOwner: "ws_1" } });
    sim.setEnforcementMode(a.id!, "DoNotEnforce", "mallory@contoso.com");
    expect((await pc.policyAssignments.get(scope, "pp-ev")).enforcementMode).toBe("DoNotEnforce");
    const sub = demo.subscriptions.find((s) => s.managementGroup === "ai-agents")!.subscriptionId;
    sim.addNotScopes(a.id!, [`/subscriptions/${sub}`]);
    expect((await pc.policyAssignments.get(scope, "pp-ev")).notScopes).toEqual([`/subscriptions/${sub}`]);
    sim.editDefinitionRule(d.id!, { if: { field: "type", equals: "Microsoft.Storage/storageAccounts" }, then: { effect: "audit" } });
    expect((await pc.policyDefinitions.getAtManagementGroup("ai-agents", "pp-ev")).policyRule).toMatchObject({ then: { effect: "audit" } });
    sim.deleteResource(a.id!);
    expect(await failure(pc.policyAssignments.get(scope, "pp-ev"))).toMatchObject({ statusCode: 404, code: "PolicyAssignmentNotFound" });
    const added = sim.addSubscription({
      displayName: "agents-prod-03",
      managementGroup: "ai-agents",
      tags: { env: "prod", agent: "true" },
    });
    sim.moveSubscription(added.subscriptionId, "sandbox");
    await pc.policyDefinitions.deleteAtManagementGroup("ai-agents", "pp-ev");
    await sim.flushEvents();

    const events = received.flat();
    for (const batch of received) expect(batch).toHaveLength(1);
    const defId = d.id!;
    const byOp = (op: string): AzureEvent[] => events.filter((e) => e.data.operationName === op);
    const defWrite = byOp("Microsoft.Authorization/policyDefinitions/write")[0]!;
    expect(defWrite).toMatchObject({
      topic: "/providers/Microsoft.Management/managementGroups/ai-agents",
      subject: defId,
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      metadataVersion: "1",
      data: {
        resourceUri: defId,
        status: "Succeeded",
        tenantId: sim.tenantId,
        authorization: { scope: defId, action: "Microsoft.Authorization/policyDefinitions/write" },
        claims: { appid: DEMO_APP.appId },
      },
    });
    const humanWrite = byOp("Microsoft.Authorization/policyAssignments/write").find(
      (e) => e.data.claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] === "mallory@contoso.com",
    );
    expect(humanWrite?.subject).toBe(a.id);
    expect(byOp("Microsoft.Authorization/policyAssignments/delete")[0]).toMatchObject({
      eventType: "Microsoft.Resources.ResourceDeleteSuccess",
      subject: a.id,
    });
    expect(byOp("Microsoft.Authorization/policyDefinitions/delete")).toHaveLength(1);
    const moves = byOp("Microsoft.Management/managementGroups/subscriptions/write");
    expect(moves.map((e) => e.subject)).toEqual([
      `/providers/Microsoft.Management/managementGroups/ai-agents/subscriptions/${added.subscriptionId}`,
      `/providers/Microsoft.Management/managementGroups/sandbox/subscriptions/${added.subscriptionId}`,
    ]);
    expect(events.every((e) => typeof e.id === "string" && !Number.isNaN(Date.parse(e.eventTime)))).toBe(true);
  });

  it("keeps ARM's in-use rule for portal deletes unless forced", async () => {
    const pc = policyClient(sim, token);
    const d = await pc.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "pp-oob", {
      policyRule: { if: { field: "type", equals: "x" }, then: { effect: "deny" } },
    });
    await pc.policyAssignments.create("providers/Microsoft.Management/managementGroups/sandbox", "pp-oob", { policyDefinitionId: d.id! });
    expect(() => sim.deleteResource(d.id!)).toThrow(/cannot be deleted/);
    sim.deleteResource(d.id!, { force: true });
    expect(await failure(pc.policyDefinitions.getAtManagementGroup("sandbox", "pp-oob"))).toMatchObject({
      statusCode: 404,
      code: "PolicyDefinitionNotFound",
    });
    // The orphaned assignment still reads, as in Azure.
    expect((await pc.policyAssignments.get("providers/Microsoft.Management/managementGroups/sandbox", "pp-oob")).policyDefinitionId).toBe(
      d.id,
    );
  });
});

describe("entities (getEntities)", () => {
  it("finds a subscription by name with its parent and the chain from the root group, pages, views, and refuses what it does not model", async () => {
    // The demo tenant alone (an earlier test seeded 10,000 subscriptions).
    demo = sim.seedAzureDemo();
    const mc = mgClient(sim, token);
    const list = async (o: Parameters<typeof mc.entities.list>[0] = {}) => {
      const out = [];
      for await (const e of mc.entities.list(o)) out.push(e);
      return out;
    };
    const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!;
    const [e, ...more] = await list({ filter: `name eq '${sub.subscriptionId.toUpperCase()}'` });
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      id: `/subscriptions/${sub.subscriptionId}`,
      type: "/subscriptions",
      name: sub.subscriptionId,
      displayName: sub.displayName,
      parent: { id: "/providers/Microsoft.Management/managementGroups/corp-prod" },
      parentNameChain: [sim.tenantId, "landing-zones", "corp-prod"],
      parentDisplayNameChain: ["Tenant Root Group", "Landing Zones", "Corp-Prod"],
      permissions: "view",
    });
    const group = (await list({ filter: "name eq 'corp-prod'" }))[0]!;
    expect(group).toMatchObject({
      type: "Microsoft.Management/managementGroups",
      parentNameChain: [sim.tenantId, "landing-zones"],
      numberOfChildGroups: 0,
      numberOfChildren: 6,
      numberOfDescendants: 6,
    });

    // Every group and subscription the demo connector can read, over pages the SDK follows (GET nextLink).
    sim.configure({ pageSize: 7 });
    try {
      const all = await list();
      expect(all.filter((x) => x.type === "/subscriptions")).toHaveLength(demo.subscriptions.length);
      expect(all.filter((x) => x.type === "Microsoft.Management/managementGroups")).toHaveLength(11);
      expect((await list({ view: "GroupsOnly" })).every((x) => x.type === "Microsoft.Management/managementGroups")).toBe(true);
      expect((await list({ view: "SubscriptionsOnly", filter: "contains(displayName, 'corp-prod')" })).map((x) => x.parent?.id)).toEqual(
        Array(6).fill("/providers/Microsoft.Management/managementGroups/corp-prod"),
      );
    } finally {
      sim.configure({ pageSize: 100 });
    }

    // An app that may read one subscription sees that subscription only.
    const narrow = sim.registerApp({ displayName: "narrow", grants: [{ role: "Reader", scope: `/subscriptions/${sub.subscriptionId}` }] });
    const seen = [];
    for await (const x of mgClient(sim, sim.issueToken(narrow.appId)).entities.list()) seen.push(x.name);
    expect(seen).toEqual([sub.subscriptionId]);

    expect(await failure(list({ filter: "startswith(name, 'corp')" }))).toMatchObject({ statusCode: 400, code: "BadRequest" });
    expect(await failure(list({ search: "ParentOnly", filter: "name eq 'corp-prod'" }))).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
    });
  });
});

describe("subscription actions (Microsoft.Subscription)", () => {
  /** POST /subscriptions/{id}/providers/Microsoft.Subscription/{action}?api-version=2021-10-01, as the specs define it. */
  const action = (t: string, id: string, name: "rename" | "cancel", body?: object) => {
    const any = { type: { name: "any" as const } } as never;
    const op: OperationSpec = {
      path: "/subscriptions/{id}/providers/Microsoft.Subscription/{action}",
      httpMethod: "POST",
      responses: { 200: { bodyMapper: any }, default: { bodyMapper: any } },
      queryParameters: [
        { parameterPath: "apiVersion", mapper: { serializedName: "api-version", required: true, type: { name: "String" } } },
      ],
      urlParameters: [
        { parameterPath: "$host", mapper: { serializedName: "$host", required: true, type: { name: "String" } }, skipEncoding: true },
        { parameterPath: "id", mapper: { serializedName: "id", required: true, type: { name: "String" } } },
        { parameterPath: "action", mapper: { serializedName: "action", required: true, type: { name: "String" } } },
      ],
      ...(body
        ? { requestBody: { parameterPath: "body", mapper: { serializedName: "body", type: { name: "any" } } }, mediaType: "json" as const }
        : {}),
      serializer: createSerializer({}, false),
    };
    return armClient(sim, t, { maxRetries: 0 }).sendOperationRequest<Record<string, unknown>>(
      { apiVersion: "2021-10-01", id, action: name, ...(body ? { body } : {}) },
      op,
    );
  };

  it("renames and cancels a subscription, raising ResourceActionSuccess events, and refuses a Reader", async () => {
    demo = sim.seedAzureDemo();
    const sub = demo.subscriptions[0]!.subscriptionId;
    const before = sim.events().length;
    expect(await action(owner, sub, "rename", { subscriptionName: "Renamed sub" })).toEqual({ subscriptionId: sub });
    expect(await action(owner, sub, "cancel")).toEqual({ value: sub });
    const arm = armClient(sim, owner);
    expect(await getSubscription(arm, sub)).toMatchObject({ displayName: "Renamed sub", state: "Disabled" });
    expect(
      sim
        .events()
        .slice(before)
        .map((e) => [e.eventType, e.subject, e.data.operationName]),
    ).toEqual([
      ["Microsoft.Resources.ResourceActionSuccess", `/subscriptions/${sub}`, "Microsoft.Subscription/rename/action"],
      ["Microsoft.Resources.ResourceActionSuccess", `/subscriptions/${sub}`, "Microsoft.Subscription/cancel/action"],
    ]);
    // A cancelled subscription stays in its group until Azure deletes it.
    expect(sim.core.state.descendants(sim.tenantId).some((d) => d.name === sub)).toBe(true);

    expect(await failure(action(owner, sub, "rename", {}))).toMatchObject({ statusCode: 400, code: "InvalidRequestContent" });
    const reader = sim.issueToken(DEMO_READER_APP.appId);
    expect(await failure(action(reader, sub, "rename", { subscriptionName: "x" }))).toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    expect(await failure(action(owner, "00000000-0000-4000-8000-000000000000", "cancel"))).toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
  });
});

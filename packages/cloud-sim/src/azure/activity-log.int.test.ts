import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureSim, type AzureSim, type DemoInfo } from "./index.ts";
import { policyClient } from "./test-clients.ts";

/**
 * The Activity Log list APIs of the simulator on the wire (plain HTTPS: cloud-sim does not depend on
 * @azure/arm-monitor; the SDK path is tested by the provider's reader, providers/src/azure/audit.int.test.ts).
 */
let sim: AzureSim;
let demo: DemoInfo;
let sub: string;
let token: string;

function get(path: string, method = "GET", body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: sim.port,
        method,
        path,
        ca: sim.caPem,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const iso = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString();
const listPath = (filter: string, extra = ""): string =>
  `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(filter)}${extra}`;

beforeAll(async () => {
  sim = await startAzureSim({ seed: 41, throttle: false });
  demo = sim.seedAzureDemo();
  sub = demo.subscriptions[0]!.subscriptionId;
  token = sim.issueToken(demo.app.appId);
});

afterAll(async () => {
  await sim.close();
});

describe("Azure simulator Activity Log", () => {
  it("records a served write as Started + Succeeded with the caller's claims and the request body, listed newest first", async () => {
    await policyClient(sim, token, { maxRetries: 0 }).policyAssignments.create(`/subscriptions/${sub}`, "recorded", {
      policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/06a78e20-9358-41c9-923c-fb736d382a4d",
      displayName: "recorded",
    });
    const listed = await get(listPath(`eventTimestamp ge '${iso(60_000)}' and eventTimestamp le '${iso(-1_000)}'`));
    expect(listed.status).toBe(200);
    type TEntry = {
      resourceId?: string;
      status?: { value: string };
      operationName?: { value: string };
      correlationId?: string;
      properties?: Record<string, string>;
    };
    const entries = listed.json["value"] as TEntry[];
    const mine = entries.filter((e) => (e.resourceId ?? "").endsWith("/policyAssignments/recorded"));
    expect(mine.map((e) => e.status?.value)).toEqual(["Succeeded", "Started"]);
    const app = sim.core.state.apps.get(demo.app.appId.toLowerCase())!;
    expect(mine[0]).toMatchObject({
      operationName: { value: "Microsoft.Authorization/policyAssignments/write" },
      category: { value: "Administrative" },
      subStatus: { value: "Created" },
      subscriptionId: sub,
      claims: { appid: demo.app.appId, "http://schemas.microsoft.com/identity/claims/objectidentifier": app.objectId },
    });
    expect(JSON.parse(mine[1]!.properties!["requestbody"]!)).toMatchObject({ properties: { displayName: "recorded" } });
    expect(mine[0]!.correlationId).toBe(mine[1]!.correlationId);
    // Reads are not in the Administrative category.
    expect(entries.some((e) => (e.operationName?.value ?? "").endsWith("/read"))).toBe(false);
  });

  it("validates $filter as the spec allows it, answering {code, message} at the top level", async () => {
    const noStart = await get(listPath(`eventTimestamp le '${iso(0)}'`));
    expect(noStart.status).toBe(400);
    expect(noStart.json).toMatchObject({ code: "BadRequest", message: expect.stringMatching(/start time/) as unknown });
    expect(noStart.json["error"]).toBeUndefined();
    const tooOld = await get(listPath(`eventTimestamp ge '${iso(91 * 86_400_000)}' and eventTimestamp le '${iso(0)}'`));
    expect(tooOld).toMatchObject({ status: 400, json: { code: "BadRequest", message: expect.stringMatching(/90 days/) as unknown } });
    const badField = await get(listPath(`eventTimestamp ge '${iso(3_600_000)}' and caller eq 'x'`));
    expect(badField).toMatchObject({ status: 400, json: { message: expect.stringMatching(/'caller' is not supported/) as unknown } });
    const badSelect = await get(listPath(`eventTimestamp ge '${iso(3_600_000)}'`, "&$select=eventDataId,secret"));
    expect(badSelect).toMatchObject({ status: 400, json: { message: expect.stringMatching(/'secret'/) as unknown } });
    const missing = await get(`/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values?$filter=x`);
    expect(missing.status).toBe(400);
  });

  it("filters by resource group, projects $select, pages with nextLink; appended agent activity is listed like served calls", async () => {
    const vault = `/subscriptions/${sub}/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-prod`;
    sim.appendActivity(
      Array.from({ length: 7 }, (_, i) => ({
        operationName: "Microsoft.DataProtection/backupVaults/delete",
        resourceId: `${vault}${i}`,
        method: "DELETE",
        caller: { objectId: "a9e17000-0000-4000-8000-0000000a9e17", appId: "a9e17000-0000-4000-8000-00000000a99e" },
        httpStatus: 200,
      })),
    );
    sim.configure({ pageSize: 5 });
    try {
      const first = await get(
        listPath(`eventTimestamp ge '${iso(60_000)}' and resourceGroupName eq 'RG-BACKUP'`, "&$select=eventDataId,resourceId"),
      );
      expect(first.status).toBe(200);
      const value = first.json["value"] as Record<string, unknown>[];
      expect(value).toHaveLength(5);
      expect(Object.keys(value[0]!).sort()).toEqual(["eventDataId", "resourceId"]);
      expect(first.json["nextLink"]).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.+\$skiptoken=/);
      let total = value.length;
      let next = first.json["nextLink"] as string | undefined;
      while (next) {
        const page = await get(new URL(next).pathname + new URL(next).search);
        total += (page.json["value"] as unknown[]).length;
        next = page.json["nextLink"] as string | undefined;
      }
      expect(total).toBe(14);
    } finally {
      sim.configure({ pageSize: 100 });
    }
  });

  it("lists tenant-level entries at the tenant scope (root access only), and refuses a caller without the read", async () => {
    const tenantPath = `/providers/microsoft.insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(`eventTimestamp ge '${iso(60_000)}'`)}`;
    // The connector's grants sit at the root management group: the tenant log needs access at "/".
    expect((await get(tenantPath)).json).toMatchObject({ error: { code: "AuthorizationFailed" } });
    const root = sim.registerApp({ displayName: "tenant-reader", grants: [{ role: "Reader", scope: "/" }] });
    const saved = token;
    token = sim.issueToken(root.appId);
    try {
      const tenant = await get(tenantPath);
      expect(tenant.status).toBe(200);
      expect((tenant.json["value"] as { subscriptionId: string }[]).every((e) => e.subscriptionId === "")).toBe(true);
    } finally {
      token = saved;
    }
    const stranger = sim.registerApp({ displayName: "no-roles", grants: [] });
    token = sim.issueToken(stranger.appId);
    try {
      const denied = await get(listPath(`eventTimestamp ge '${iso(60_000)}'`));
      expect(denied).toMatchObject({ status: 403, json: { error: { code: "AuthorizationFailed" } } });
    } finally {
      token = saved;
    }
  });

  it("appends calls through the admin API, refusing a malformed one by field", async () => {
    const bad = await get("/_admin/activity-log", "POST", {
      events: [{ operationName: "Microsoft.Storage/storageAccounts/delete", resourceId: "/x", caller: {} }],
    });
    expect(bad).toMatchObject({
      status: 400,
      json: { error: { message: expect.stringContaining("events[0].caller.objectId") as unknown } },
    });
    const account = `/subscriptions/${sub}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/public2`;
    const ok = await get("/_admin/activity-log", "POST", {
      events: [
        {
          operationName: "Microsoft.Storage/storageAccounts/write",
          resourceId: account,
          caller: { objectId: "a9e17000-0000-4000-8000-0000000a9e17", appId: "a9e17000-0000-4000-8000-00000000a99e", groups: ["g1"] },
          requestBody: { location: "westeurope", properties: { allowBlobPublicAccess: true } },
          errorCode: "RequestDisallowedByPolicy",
        },
      ],
    });
    expect(ok.status).toBe(200);
    const [started, ended] = ok.json["value"] as {
      status: { value: string };
      subStatus: { value: string };
      properties: Record<string, string>;
      claims: Record<string, string>;
    }[];
    expect(started!.properties["requestbody"]).toBe('{"location":"westeurope","properties":{"allowBlobPublicAccess":true}}');
    expect(ended).toMatchObject({ status: { value: "Failed" }, subStatus: { value: "Forbidden" }, claims: { groups: "g1" } });
    expect(JSON.parse(ended!.properties["statusMessage"]!)).toMatchObject({ error: { code: "RequestDisallowedByPolicy" } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureSim, type AzureSim, type DemoInfo } from "@parapet/cloud-sim/azure/index";
import { policyClient } from "@parapet/cloud-sim/azure/test-clients";
import { MonitorClient } from "@azure/arm-monitor";
import { simulatorEgress } from "../egress/index.ts";
import { isProviderError } from "../contract/errors.ts";
import type { AuditEvent, AuditPage } from "../contract/audit.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createAzureAdapter } from "./adapter.ts";

/**
 * The Azure Activity Log reader through @azure/arm-monitor against the simulator: the simulator records
 * the ARM calls it serves, its admin API appends agent activity, and the reader returns both normalised,
 * page by page.
 */
const AGENT_OID = "a9e17000-0000-4000-8000-0000000a9e17";
const AGENT_APP = "a9e17000-0000-4000-8000-00000000a99e";

let sim: AzureSim;
let demo: DemoInfo;
let adapter: CloudAdapter;
let sub: string;

async function readAll(
  a: CloudAdapter,
  since: Date,
  until: Date,
  pageSize?: number,
  nodeExternalIds?: string[],
): Promise<{ events: AuditEvent[]; pages: AuditPage[] }> {
  const pages: AuditPage[] = [];
  let token: string | undefined;
  do {
    const p = await a.readAuditEvents!({
      since,
      until,
      ...(pageSize ? { pageSize } : {}),
      ...(token ? { pageToken: token } : {}),
      ...(nodeExternalIds ? { nodeExternalIds } : {}),
    });
    pages.push(p);
    token = p.nextPageToken;
  } while (token);
  return { events: pages.flatMap((p) => p.events), pages };
}

beforeAll(async () => {
  sim = await startAzureSim({ seed: 31, throttle: false });
  demo = sim.seedAzureDemo();
  sub = demo.subscriptions[0]!.subscriptionId;
  adapter = createAzureAdapter({
    workspaceId: "ws_audit",
    egress: simulatorEgress(),
    credentials: { kind: "client-secret", tenantId: sim.tenantId, clientId: demo.app.appId, clientSecret: demo.app.secret },
    endpoint: sim.url,
    authorityHost: sim.authorityHost,
    tlsCa: sim.caPem,
    facts: { rootManagementGroupId: sim.rootManagementGroupId },
    retry: { attempts: 3, baseMs: 10, maxMs: 100 },
  });
});

afterAll(async () => {
  await sim.close();
});

describe("Azure Activity Log reader", () => {
  it("returns the ARM calls the simulator served, with the caller's claims, and appended agent activity", async () => {
    const start = new Date(Date.now() - 60_000);
    // A real ARM write through the SDK: the sim records it like Azure would.
    const platform = sim.registerApp({ displayName: "platform-team", grants: [{ role: "Owner", scope: "/" }] });
    await policyClient(sim, sim.issueToken(platform.appId), { maxRetries: 0 }).policyAssignments.create(
      `/subscriptions/${sub}`,
      "audit-probe",
      {
        policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/06a78e20-9358-41c9-923c-fb736d382a4d",
        displayName: "recorded write",
      },
    );
    const vault = `/subscriptions/${sub}/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-prod`;
    const account = `/subscriptions/${sub}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/public1`;
    sim.appendActivity([
      {
        operationName: "Microsoft.DataProtection/backupVaults/delete",
        resourceId: vault,
        method: "DELETE",
        caller: { objectId: AGENT_OID, appId: AGENT_APP },
        httpStatus: 200,
      },
      {
        operationName: "Microsoft.Storage/storageAccounts/write",
        resourceId: account,
        method: "PUT",
        caller: { objectId: AGENT_OID, appId: AGENT_APP },
        requestBody: { location: "westeurope", properties: { allowBlobPublicAccess: true } },
        httpStatus: 403,
        errorCode: "RequestDisallowedByPolicy",
        errorMessage: "Resource 'public1' was disallowed by policy.",
      },
    ]);
    const { events, pages } = await readAll(adapter, start, new Date(Date.now() + 1_000), undefined, [sub]);
    expect(pages.every((p) => p.skipped === undefined)).toBe(true);
    const write = events.find((e) => e.action === "Microsoft.Authorization/policyAssignments/write" && e.resource.endsWith("/audit-probe"));
    expect(write).toMatchObject({
      cloud: "azure",
      principal: { id: platform.objectId, type: "app", name: platform.appId },
      nodeExternalId: sub,
      outcome: "success",
      plane: "management",
      request: { properties: { displayName: "recorded write" } },
    });
    expect(events.find((e) => e.resource === vault)).toMatchObject({
      action: "Microsoft.DataProtection/backupVaults/delete",
      principal: { id: AGENT_OID, type: "app" },
      outcome: "success",
    });
    expect(events.find((e) => e.resource === account)).toMatchObject({
      outcome: "denied",
      context: { "azure:errorCode": "RequestDisallowedByPolicy" },
      request: { location: "westeurope", properties: { allowBlobPublicAccess: true } },
    });
    // One event per call: Started and end entries are collapsed.
    expect(events.filter((e) => e.resource === vault)).toHaveLength(1);
  });

  it("pages with the service's nextLink and a smaller pageSize, losing and repeating nothing", async () => {
    const start = new Date(Date.now() - 30_000);
    const calls = Array.from({ length: 23 }, (_, i) => ({
      operationName: "Microsoft.Compute/snapshots/delete",
      resourceId: `/subscriptions/${sub}/resourceGroups/rg-paging/providers/Microsoft.Compute/snapshots/snap-${i}`,
      method: "DELETE",
      caller: { objectId: AGENT_OID, appId: AGENT_APP },
      httpStatus: 200,
      time: new Date(Date.now() - 1_000 - i),
    }));
    sim.appendActivity(calls);
    sim.configure({ pageSize: 10 });
    try {
      for (const pageSize of [undefined, 3]) {
        const { events, pages } = await readAll(adapter, start, new Date(Date.now() + 1_000), pageSize, [sub]);
        const snaps = events.filter((e) => e.resource.includes("/rg-paging/")).map((e) => e.resource);
        // Pages of 10 entries split some calls' Started/end pair; each call is still one event.
        expect(snaps.sort()).toEqual(calls.map((c) => c.resourceId).sort());
        expect(pages.length).toBeGreaterThan(pageSize ? 10 : 4);
        if (pageSize) expect(pages.every((p) => p.events.length <= pageSize)).toBe(true);
      }
    } finally {
      sim.configure({ pageSize: 100 });
    }
  });

  it("refuses a window older than 90 days before calling, and the service refuses it too", async () => {
    const old = new Date(Date.now() - 91 * 24 * 3600 * 1000);
    await expect(adapter.readAuditEvents!({ since: old, until: new Date() })).rejects.toSatisfy(
      (e: unknown) => isProviderError(e) && /90 days/.test(e.message),
    );
    const monitor = new MonitorClient(
      { getToken: async () => ({ token: sim.issueToken(demo.app.appId), expiresOnTimestamp: Date.now() + 3_600_000 }) },
      sub,
      {
        endpoint: sim.url,
        tlsOptions: { ca: sim.caPem },
        retryOptions: { maxRetries: 0 },
      },
    );
    const listed = monitor.activityLogs
      .list(`eventTimestamp ge '${old.toISOString()}' and eventTimestamp le '${new Date().toISOString()}'`)
      .byPage()
      .next();
    await expect(listed).rejects.toMatchObject({ statusCode: 400 });
    // The start time is required; a field the API does not document is refused.
    await expect(monitor.activityLogs.list("").byPage().next()).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      monitor.activityLogs
        .list(`eventTimestamp ge '${new Date(Date.now() - 3600_000).toISOString()}' and caller eq 'x'`)
        .byPage()
        .next(),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it("checks the read in verify, and a caller without it is refused", async () => {
    const v = await adapter.verify();
    expect(v.checks.find((c) => c.permission === "Microsoft.Insights/eventtypes/values/read")).toMatchObject({ ok: true });
    const stranger = sim.registerApp({ displayName: "no-roles", secret: "s3cret-value", grants: [] });
    const denied = createAzureAdapter({
      workspaceId: "ws_audit",
      egress: simulatorEgress(),
      credentials: { kind: "client-secret", tenantId: sim.tenantId, clientId: stranger.appId, clientSecret: "s3cret-value" },
      endpoint: sim.url,
      authorityHost: sim.authorityHost,
      tlsCa: sim.caPem,
      facts: { rootManagementGroupId: sim.rootManagementGroupId },
      retry: { attempts: 1, baseMs: 10, maxMs: 10 },
    });
    await expect(
      denied.readAuditEvents!({ since: new Date(Date.now() - 60_000), until: new Date(), nodeExternalIds: [sub] }),
    ).rejects.toSatisfy(
      (e: unknown) => isProviderError(e) && e.kind === "auth" && e.message.includes("ActivityLogs_List (403 AuthorizationFailed)"),
    );
  });
});

/**
 * The GCP audit-log reader against the simulator: the simulator records the calls it serves as Cloud
 * Audit Logs entries, its admin API adds data-plane history, and the reader returns them normalised,
 * page by page, through Cloud Logging's REST wire. The Logging SDK (@google-cloud/logging 12.1.0,
 * fallback REST) is used for the refusals, which it surfaces with Google's error codes.
 */
import { v2 as loggingV2 } from "@google-cloud/logging";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "@parapet/cloud-sim/gcp/index";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../contract/audit.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { simulatorEgress } from "../egress/index.ts";
import { createGcpAdapter } from "./adapter.ts";
import { ZGcpCredentials } from "./credentials.ts";

/** The part of LoggingServiceV2Client used here; the package types its `v2` export as `any`. */
interface LoggingClient {
  listLogEntries(
    req: { resourceNames: string[]; filter?: string; orderBy?: string; pageSize?: number },
    opts: { autoPaginate: false },
  ): Promise<[unknown[]]>;
  close(): Promise<void>;
}
const { LoggingServiceV2Client } = loggingV2 as { LoggingServiceV2Client: new (opts: Record<string, unknown>) => LoggingClient };

let sim: GcpSim;
let demo: GcpDemo;
let adapter: CloudAdapter;
let t0: Date;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false });
  demo = seedGcpDemo(sim);
  t0 = new Date(Date.now() - 60_000);
  adapter = createGcpAdapter({
    workspaceId: "ws_gcp_audit",
    egress: simulatorEgress(),
    endpoint: sim.url,
    credentials: ZGcpCredentials.parse({ type: "service_account_key", key: demo.serviceAccount.keyFile }),
    facts: { organizationId: demo.orgId },
    retry: { attempts: 3, baseMs: 20, maxMs: 100 },
  });
}, 60_000);

afterAll(async () => {
  await adapter?.close();
  await sim?.close();
});

async function admin(path: string, body: unknown): Promise<unknown> {
  const r = await fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function readAll(req: { nodeExternalIds: string[]; pageSize: number }): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let pages = 0;
  let pageToken: string | undefined;
  // One window for the whole read: a page token belongs to the query that issued it.
  const until = new Date(Date.now() + 60_000);
  do {
    const page = await adapter.readAuditEvents!({
      since: t0,
      until,
      ...req,
      ...(pageToken ? { pageToken } : {}),
    });
    pages++;
    expect(page.events.length).toBeLessThanOrEqual(req.pageSize);
    events.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { events, pages };
}

describe("GCP readAuditEvents", () => {
  it("returns the calls the simulator served and the history appended to it, normalised and paged", async () => {
    const prod = demo.projects["payments-prod"]!;
    // Calls the simulator serves are logged with the authenticated caller.
    await adapter.discover();
    // A refused write by the read-only auditor: a PERMISSION_DENIED entry.
    const refused = await fetch(`${sim.url}/v2/organizations/${demo.orgId}/policies`, {
      method: "POST",
      headers: { authorization: `Bearer ${demo.readOnly.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `organizations/${demo.orgId}/policies/gcp.resourceLocations`, spec: { rules: [{ allowAll: true }] } }),
    });
    expect(refused.status).toBe(403);
    // History: an agent service account deleting a bucket in prod, and a denied secret read.
    await admin("/_admin/audit-entries", {
      entries: [
        {
          service: "storage.googleapis.com",
          permission: "storage.buckets.delete",
          resourceName: "projects/_/buckets/payments-exports",
          project: prod.projectId,
          principalEmail: `agent-runner@${prod.projectId}.iam.gserviceaccount.com`,
          resourceLocation: "europe-west1",
        },
        {
          service: "secretmanager.googleapis.com",
          permission: "secretmanager.versions.access",
          resourceName: `projects/${prod.number}/secrets/db-password/versions/3`,
          project: prod.projectId,
          principalEmail: "nonprod-app@payments-dev.iam.gserviceaccount.com",
          log: "data_access",
          denied: true,
        },
      ],
    });

    const { events, pages } = await readAll({ nodeExternalIds: [`projects/${prod.number}`], pageSize: 2 });
    expect(pages).toBeGreaterThan(2);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    const del = events.find((e) => e.action === "storage.buckets.delete");
    expect(del).toMatchObject({
      cloud: "gcp",
      principal: {
        id: `serviceAccount:agent-runner@${prod.projectId}.iam.gserviceaccount.com`,
        type: "service-account",
        account: prod.projectId,
      },
      resource: "//storage.googleapis.com/projects/_/buckets/payments-exports",
      nodeExternalId: `projects/${prod.number}`,
      region: "europe-west1",
      plane: "management",
      outcome: "success",
    });
    expect(events.find((e) => e.action === "secretmanager.versions.access")).toMatchObject({
      outcome: "denied",
      plane: "data",
      readOnly: true,
      nodeExternalId: `projects/${prod.number}`,
    });
    // The connector's own reads, logged as Data Access (ADMIN_READ) where they happened.
    const reads = events.filter(
      (e) => e.principal.id === `serviceAccount:${demo.serviceAccount.email}` && e.action.startsWith("resourcemanager."),
    );
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((e) => e.readOnly === true && e.plane === "management")).toBe(true);
    expect(reads.find((e) => e.action === "resourcemanager.organizations.get")?.nodeExternalId).toBe(`organizations/${demo.orgId}`);
    // The reader's GetProject (learning the project's id) is logged in that project's own log.
    expect(reads.find((e) => e.action === "resourcemanager.projects.get")?.nodeExternalId).toBe(`projects/${prod.number}`);
    expect(events.find((e) => e.principal.id === `serviceAccount:${demo.readOnly.email}`)).toMatchObject({
      action: "orgpolicy.policies.create",
      outcome: "denied",
    });
  });

  it("a page token from another reader, or a bad window, is refused naming the field", async () => {
    await expect(adapter.readAuditEvents!({ since: new Date(), until: t0 })).rejects.toThrow(/^until: must be after since/);
    await expect(adapter.readAuditEvents!({ since: t0, until: new Date(), pageToken: "nope" })).rejects.toThrow(/^pageToken:/);
    await expect(adapter.readAuditEvents!({ since: t0, until: new Date(), pageSize: 1001 })).rejects.toThrow(/^pageSize:/);
  });

  it("the simulator refuses what it does not support, as the Logging API does (SDK)", async () => {
    const u = new URL(sim.url);
    const key = demo.serviceAccount.keyFile;
    const client = new LoggingServiceV2Client({
      fallback: true,
      apiEndpoint: u.hostname,
      port: Number(u.port),
      protocol: "http",
      credentials: { client_email: key.client_email, private_key: key.private_key },
    });
    try {
      const org = `organizations/${demo.orgId}`;
      const badFilter = client.listLogEntries({ resourceNames: [org], filter: 'jsonPayload.x="y"' }, { autoPaginate: false });
      await expect(badFilter).rejects.toMatchObject({ code: 3 });
      await expect(badFilter).rejects.toThrow(/Unparseable filter/);
      await expect(client.listLogEntries({ resourceNames: [org], pageSize: 1001 }, { autoPaginate: false })).rejects.toMatchObject({
        code: 3,
      });
      await expect(client.listLogEntries({ resourceNames: [] }, { autoPaginate: false })).rejects.toMatchObject({ code: 3 });
      await expect(
        client.listLogEntries({ resourceNames: [org], orderBy: "severity desc" }, { autoPaginate: false }),
      ).rejects.toMatchObject({ code: 3 });
      // A filter that matches nothing is an empty page, through the SDK.
      const [none] = await client.listLogEntries(
        { resourceNames: [org], filter: 'logName:"cloudaudit.googleapis.com" AND timestamp<"2000-01-01T00:00:00Z"' },
        { autoPaginate: false },
      );
      expect(none).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe("GCP lookupPrincipals: Cloud Identity group membership for deny rules on groups", () => {
  it("answers each caller's groups, nested ones included, as the deny rules name them", async () => {
    await admin("/_admin/identity/group", { email: "agents@example.com", members: ["bot@p.iam.gserviceaccount.com"] });
    await admin("/_admin/identity/group", { email: "automation@example.com", members: ["agents@example.com", "ci@example.com"] });
    await admin("/_admin/identity/group", { email: "finance@example.com", members: ["alice@example.com"] });
    const facts = await adapter.lookupPrincipals!([
      "serviceAccount:bot@p.iam.gserviceaccount.com",
      "user:alice@example.com",
      "user:nobody@example.com",
      "group:agents@example.com",
    ]);
    expect(facts).toEqual([
      {
        id: "serviceAccount:bot@p.iam.gserviceaccount.com",
        found: true,
        groups: ["principalSet://goog/group/agents@example.com", "principalSet://goog/group/automation@example.com"],
      },
      { id: "user:alice@example.com", found: true, groups: ["principalSet://goog/group/finance@example.com"] },
      { id: "user:nobody@example.com", found: true, groups: [] },
      // Not a caller an audit entry names: never asked.
      { id: "group:agents@example.com", found: false },
    ]);
  });

  it("without Cloud Identity Premium (or the Groups Reader role) membership is unknown, never guessed, and asked once", async () => {
    await admin("/_admin/identity/premium", { enabled: false });
    const fresh = createGcpAdapter({
      workspaceId: "ws_gcp_audit",
      egress: simulatorEgress(),
      endpoint: sim.url,
      credentials: ZGcpCredentials.parse({ type: "service_account_key", key: demo.serviceAccount.keyFile }),
      facts: { organizationId: demo.orgId },
      retry: { attempts: 1, baseMs: 20, maxMs: 100 },
    });
    try {
      const served = async () =>
        ((await (await fetch(`${sim.url}/_admin/counters`)).json()) as { counters: Record<string, number> }).counters[
          "cloudidentity.SearchTransitiveGroups"
        ] ?? 0;
      const before = await served();
      const facts = await fresh.lookupPrincipals!(["serviceAccount:bot@p.iam.gserviceaccount.com", "user:alice@example.com"]);
      expect(facts).toEqual([
        { id: "serviceAccount:bot@p.iam.gserviceaccount.com", found: false },
        { id: "user:alice@example.com", found: false },
      ]);
      expect((await served()) - before).toBe(1);
    } finally {
      await fresh.close();
      await admin("/_admin/identity/premium", { enabled: true });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import type { AuditEvent } from "../contract/audit.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { simulatorEgress } from "../egress/index.ts";
import { createOciAdapter, type TOciCredentials } from "./adapter.ts";
import { createOciClients, type OciClients } from "./client.ts";

/**
 * The OCI Audit reader through the real oci-audit / oci-identity SDKs against the simulator: calls the
 * simulator served come back as normalised AuditEvents (with the permission OCI checks), admin-appended
 * data-plane events too, across ListEvents pages and compartments; a bad window is refused.
 */

let sim: OciSim;
let creds: TOciCredentials;
let adapter: CloudAdapter;
let sdk: OciClients;
let prod: string;
let dev: string;
const AGENT = "ocid1.instance.oc1.eu-frankfurt-1.agentvm";

async function admin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${sim.url}/_admin/${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

async function readAll(req: Parameters<NonNullable<CloudAdapter["readAuditEvents"]>>[0]): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let pages = 0;
  let pageToken: string | undefined;
  do {
    const page = await adapter.readAuditEvents!({ ...req, ...(pageToken ? { pageToken } : {}) });
    pages++;
    events.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { events, pages };
}

const window = () => ({ since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 120_000) });

beforeAll(async () => {
  sim = await startOciSim({ seed: 16, pageSize: 2, throttle: false });
  const u = sim.createUser({ name: "parapet-connector", groups: ["ParapetConnector"] });
  if (!u.privateKeyPem) throw new Error("no key");
  creds = {
    tenancyId: u.tenancyId,
    userId: u.userId,
    fingerprint: u.fingerprint,
    privateKeyPem: u.privateKeyPem,
    region: "eu-frankfurt-1",
  };
  adapter = createOciAdapter({ workspaceId: "ws_audit", egress: simulatorEgress(), credentials: creds, endpoint: sim.url });
  sdk = createOciClients(creds, { identity: sim.url, cloudGuard: sim.url, audit: sim.url }, simulatorEgress().forCloud("oci"));
  prod = (await admin("compartments", { parentId: sim.tenancyId, name: "prod" })).id as string;
  dev = (await admin("compartments", { parentId: sim.tenancyId, name: "dev" })).id as string;
});

afterAll(async () => {
  sdk?.close();
  await adapter?.close();
  await sim?.close();
});

describe("OCI Audit through the SDK against the simulator", () => {
  it("records the Identity calls it serves, with the caller, and the reader returns them normalised", async () => {
    await sdk.identity.createPolicy({
      createPolicyDetails: {
        compartmentId: prod,
        name: "audit-test",
        description: "audit test",
        statements: [`allow group ParapetConnector to read buckets in compartment id ${prod}`],
      },
    });
    const { events } = await readAll({ ...window(), nodeExternalIds: [prod] });
    const create = events.find((e) => e.action === "CreatePolicy");
    expect(create).toMatchObject({
      cloud: "oci",
      principal: { id: creds.userId, type: "user", name: "parapet-connector", account: sim.tenancyId },
      nodeExternalId: prod,
      outcome: "success",
      readOnly: false,
      plane: "management",
      context: {
        "request.operation": "CreatePolicy",
        "request.permission": "POLICY_CREATE",
        "request.principal.type": "user",
        "target.compartment.id": prod,
        "request.region": "FRA",
      },
    });
  });

  it("records a refused call as a NotAuthorizedOrNotFound denial", async () => {
    const outsider = sim.createUser({ name: "outsider", permissions: ["GetTenancy"] });
    const outsiderSdk = createOciClients(
      { ...creds, userId: outsider.userId, fingerprint: outsider.fingerprint, privateKeyPem: outsider.privateKeyPem as string },
      { identity: sim.url, cloudGuard: sim.url, audit: sim.url },
      simulatorEgress().forCloud("oci"),
    );
    try {
      await expect(outsiderSdk.identity.listPolicies({ compartmentId: prod })).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      outsiderSdk.close();
    }
    const { events } = await readAll({ ...window(), nodeExternalIds: [prod] });
    expect(events.find((e) => e.principal.id === outsider.userId)).toMatchObject({
      action: "ListPolicies",
      outcome: "denied",
      nodeExternalId: prod,
    });
  });

  it("returns admin-appended data-plane events: an agent's instance principal deleting a bucket in prod", async () => {
    await admin("audit-events", {
      eventName: "DeleteBucket",
      service: "objectstorage",
      compartmentId: prod,
      principalId: AGENT,
      principalName: "agent-vm",
      method: "DELETE",
      path: "/n/acme/b/invoices",
      status: 204,
      resourceId: "/n/acme/b/invoices",
    });
    const { events } = await readAll({ ...window(), nodeExternalIds: [prod] });
    expect(events.find((e) => e.principal.id === AGENT)).toMatchObject({
      action: "DeleteBucket",
      principal: { type: "instance" },
      outcome: "success",
      context: { "request.permission": "BUCKET_DELETE", "request.principal.type": "instance", "target.compartment.id": prod },
    });
  });

  it("pages through ListEvents page by page and compartment by compartment (ListEvents is not recursive)", async () => {
    for (let i = 0; i < 5; i++) {
      await admin("audit-events", { eventName: "GetObject", compartmentId: dev, principalId: AGENT, method: "GET", status: 200 });
    }
    const devOnly = await readAll({ ...window(), nodeExternalIds: [dev] });
    expect(devOnly.events).toHaveLength(5);
    expect(devOnly.pages).toBe(3); // the simulator pages by 2
    expect(new Set(devOnly.events.map((e) => e.id)).size).toBe(5);
    // Without a scope, the tenancy and every compartment are read; nothing is returned twice.
    const all = await readAll(window());
    const ids = all.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(all.events.map((e) => e.nodeExternalId))).toEqual(new Set([prod, dev, sim.tenancyId]));
  });

  it("refuses a window that ends before it starts, naming the fields", async () => {
    const now = new Date();
    await expect(adapter.readAuditEvents!({ since: now, until: now })).rejects.toSatisfy(
      (e: unknown) => isProviderError(e) && e.kind === "invalid" && /until .* must be after since/.test(e.message),
    );
  });

  it("the simulated ListEvents refuses what the API refuses: seconds in the window, a missing bound, an inverted range", async () => {
    const base = { compartmentId: prod };
    await expect(
      sdk.audit.listEvents({ ...base, startTime: new Date("2026-12-01T10:00:30Z"), endTime: new Date("2026-12-01T11:00:00Z") }),
    ).rejects.toMatchObject({ statusCode: 400, serviceCode: "InvalidParameter" });
    await expect(
      sdk.audit.listEvents({ ...base, startTime: new Date("2026-12-01T11:00:00Z"), endTime: new Date("2026-12-01T10:00:00Z") }),
    ).rejects.toMatchObject({ statusCode: 400, serviceCode: "InvalidParameter" });
    const r = await fetch(`${sim.url}/20190901/auditEvents?compartmentId=${prod}`);
    expect(r.status).toBe(401); // unsigned: refused before the parameters are looked at
  });

  it("the admin route refuses an event it cannot record, naming the field", async () => {
    const post = (body: unknown) =>
      fetch(`${sim.url}/_admin/audit-events`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    const noPrincipal = await post({ eventName: "DeleteBucket", compartmentId: prod });
    expect(noPrincipal.status).toBe(400);
    const a = (await noPrincipal.json()) as { code: string; message: string };
    expect(a.code).toBe("MissingParameter");
    expect(a.message).toContain("principalId");
    const badStatus = await post({ eventName: "DeleteBucket", compartmentId: prod, principalId: AGENT, status: 42 });
    expect(badStatus.status).toBe(400);
    const b = (await badStatus.json()) as { code: string; message: string };
    expect(b.code).toBe("InvalidParameter");
    expect(b.message).toContain("status");
  });

  it("looks up a user's group memberships with their names", async () => {
    const [facts] = await adapter.lookupPrincipals!([creds.userId, AGENT]);
    expect(facts?.id).toBe(creds.userId);
    expect(facts?.found).toBe(true);
    expect(facts?.groupNames).toEqual(["ParapetConnector"]);
    expect(facts?.groups?.[0]).toMatch(/^ocid1\.group\./);
    // Instance principals have no group memberships to read (dynamic groups are rules): left out.
    expect((await adapter.lookupPrincipals!([AGENT])).length).toBe(0);
  });
});

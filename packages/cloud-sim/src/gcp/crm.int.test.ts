import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldersClient, organizationsClient, projectsClient } from "./clients.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, seedGcpOrg, startGcpSim } from "./index.ts";

/**
 * google-gax 5 (Resource Manager 6.x) sends through google-auth-library 10's `fetch`, which throws a
 * GaxiosError for non-2xx replies before gax can decode them: `.status` is the HTTP status and
 * `.message` the Google error JSON. Providers see exactly this from the real API too.
 */
async function rejectCode(p: Promise<unknown>): Promise<{ http: number; status: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; message: string };
    const body = JSON.parse(err.message) as { error: { code: number; status: string; message: string } };
    expect(body.error.code).toBe(err.status);
    return { http: err.status, status: body.error.status, message: body.error.message };
  }
  throw new Error("expected the call to fail");
}

/** LRO results are decoded from protobuf Any, so their enums come back as numbers (State.ACTIVE = 1). */
const ACTIVE = 1;
const DELETE_REQUESTED = 2;

let sim: GcpSim;
let demo: GcpDemo;
let org: string;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false });
  demo = seedGcpDemo(sim);
  org = `organizations/${demo.orgId}`;
});
afterAll(async () => sim.close());

describe("Resource Manager v3 through @google-cloud/resource-manager (REST fallback, google-gax 5)", () => {
  it("gets and searches the organization", async () => {
    const c = organizationsClient(sim.port, { token: demo.serviceAccount.token });
    const [o] = await c.getOrganization({ name: org });
    expect(o).toMatchObject({ name: org, displayName: "example.com", state: "ACTIVE" });
    const [found] = await c.searchOrganizations({ query: "domain:example.com" });
    expect(found.map((x) => x.name)).toEqual([org]);
    const [none] = await c.searchOrganizations({ query: "domain:other.com" });
    expect(none).toEqual([]);
  });

  it("lists, gets, creates, renames, moves and deletes folders (long-running operations)", async () => {
    const kf = demo.serviceAccount.keyFile;
    const c = foldersClient(sim.port, { credentials: { client_email: kf.client_email, private_key: kf.private_key } });
    const [top] = await c.listFolders({ parent: org });
    expect(top.map((f) => f.displayName)).toEqual(["AI-Agents", "Non-Production", "Platform", "Production", "Sandbox"]);
    const [got] = await c.getFolder({ name: demo.folders.Production });
    expect(got.parent).toBe(org);

    const [createOp] = await c.createFolder({ folder: { parent: demo.folders.Production, displayName: "Payments" } });
    const [created] = await createOp.promise();
    expect(created).toMatchObject({ parent: demo.folders.Production, displayName: "Payments", state: ACTIVE });

    const dup = await rejectCode(c.createFolder({ folder: { parent: demo.folders.Production, displayName: "Payments" } }));
    expect(dup).toMatchObject({ http: 400, status: "FAILED_PRECONDITION" });
    expect(dup.message).toMatch(/already exists/);
    const badName = await rejectCode(c.createFolder({ folder: { parent: org, displayName: "-bad name-" } }));
    expect(badName).toMatchObject({ http: 400, status: "INVALID_ARGUMENT" });

    const [renameOp] = await c.updateFolder({
      folder: { name: created.name, displayName: "Payments Prod" },
      updateMask: { paths: ["display_name"] },
    });
    expect((await renameOp.promise())[0].displayName).toBe("Payments Prod");

    const [moveOp] = await c.moveFolder({ name: created.name, destinationParent: demo.folders.Platform });
    expect((await moveOp.promise())[0].parent).toBe(demo.folders.Platform);
    const cycle = await rejectCode(c.moveFolder({ name: demo.folders.Platform, destinationParent: created.name }));
    expect(cycle.message).toMatch(/descendants/);

    const notEmpty = await rejectCode(c.deleteFolder({ name: demo.folders.Sandbox }));
    expect(notEmpty.message).toMatch(/not empty/);
    const [delOp] = await c.deleteFolder({ name: created.name });
    expect((await delOp.promise())[0].state).toBe(DELETE_REQUESTED);
  });

  it("lists projects under a folder across pages and searches by label", async () => {
    const c = projectsClient(sim.port, { token: demo.serviceAccount.token });
    const [page, next] = await c.listProjects({ parent: demo.folders.Production, pageSize: 3 }, { autoPaginate: false });
    expect(page).toHaveLength(3);
    expect(next?.pageToken).toBeTruthy();
    const ids: string[] = [];
    for await (const p of c.listProjectsAsync({ parent: demo.folders.Production, pageSize: 3 })) ids.push(p.projectId ?? "");
    expect(ids).toHaveLength(8);
    const [agents] = await c.searchProjects({ query: "labels.agent:true labels.env:prod" });
    expect(agents.map((p) => p.displayName).sort()).toEqual(["agent-runtime-prod", "agent-tools-prod", "mcp-gateway-prod"]);
    const [byParent] = await c.searchProjects({ query: `parent:${demo.folders.Sandbox ?? ""}` });
    expect(byParent).toHaveLength(4);
    const badToken = await rejectCode(c.listProjects({ parent: demo.folders.Sandbox, pageToken: "garbage" }, { autoPaginate: false }));
    expect(badToken).toMatchObject({ http: 400, status: "INVALID_ARGUMENT" });
  });

  it("creates, labels, moves and deletes projects; rejects duplicates and bad ids", async () => {
    const c = projectsClient(sim.port, { token: demo.serviceAccount.token });
    const [op] = await c.createProject({
      project: { projectId: "agent-new-runtime", parent: demo.folders["AI-Agents"], labels: { env: "prod", agent: "true" } },
    });
    const [p] = await op.promise();
    expect(p).toMatchObject({ projectId: "agent-new-runtime", parent: demo.folders["AI-Agents"], labels: { env: "prod", agent: "true" } });
    const [byId] = await c.getProject({ name: "projects/agent-new-runtime" });
    expect(byId.name).toBe(p.name);

    const dup = await rejectCode(c.createProject({ project: { projectId: "agent-new-runtime", parent: org } }));
    expect(dup).toMatchObject({ http: 409, status: "ALREADY_EXISTS" });
    const bad = await rejectCode(c.createProject({ project: { projectId: "Bad_Id", parent: org } }));
    expect(bad).toMatchObject({ http: 400, status: "INVALID_ARGUMENT" });

    const [labelOp] = await c.updateProject({
      project: { name: p.name, labels: { env: "nonprod", agent: "true" } },
      updateMask: { paths: ["labels"] },
    });
    expect((await labelOp.promise())[0].labels).toEqual({ env: "nonprod", agent: "true" });
    const badLabel = await rejectCode(
      c.updateProject({ project: { name: p.name, labels: { "Env!": "x" } }, updateMask: { paths: ["labels"] } }),
    );
    expect(badLabel).toMatchObject({ http: 400, status: "INVALID_ARGUMENT" });

    const [moveOp] = await c.moveProject({ name: p.name, destinationParent: demo.folders["Non-Production"] });
    expect((await moveOp.promise())[0].parent).toBe(demo.folders["Non-Production"]);

    const [delOp] = await c.deleteProject({ name: p.name });
    expect((await delOp.promise())[0].state).toBe(DELETE_REQUESTED);
    const [after] = await c.listProjects({ parent: demo.folders["Non-Production"] });
    expect(after.some((x) => x.name === p.name)).toBe(false);
    const [withDeleted] = await c.listProjects({ parent: demo.folders["Non-Production"], showDeleted: true });
    expect(withDeleted.some((x) => x.name === p.name)).toBe(true);
  });

  it("answers 403 for missing permissions and for resources that do not exist", async () => {
    const ro = projectsClient(sim.port, { token: demo.readOnly.token });
    const denied = await rejectCode(ro.createProject({ project: { projectId: "not-allowed-1", parent: org } }));
    expect(denied).toMatchObject({ http: 403, status: "PERMISSION_DENIED" });
    expect(denied.message).toMatch(/resourcemanager\.projects\.create/);
    const missing = await rejectCode(ro.getProject({ name: "projects/does-not-exist" }));
    expect(missing).toMatchObject({ http: 403, status: "PERMISSION_DENIED" });
  });

  it("answers testIamPermissions on the organization with the granted subset only", async () => {
    const asked = ["resourcemanager.projects.list", "orgpolicy.policies.update", "iam.denypolicies.create"];
    const [full] = await organizationsClient(sim.port, { token: demo.serviceAccount.token }).testIamPermissions({
      resource: org,
      permissions: asked,
    });
    expect([...(full.permissions ?? [])].sort()).toEqual([...asked].sort());
    const [ro] = await organizationsClient(sim.port, { token: demo.readOnly.token }).testIamPermissions({
      resource: org,
      permissions: asked,
    });
    expect(ro.permissions).toEqual(["resourcemanager.projects.list"]);
    const other = await rejectCode(
      organizationsClient(sim.port, { token: demo.serviceAccount.token }).testIamPermissions({
        resource: "organizations/1",
        permissions: asked,
      }),
    );
    expect(other).toMatchObject({ http: 403, status: "PERMISSION_DENIED" });
  });

  it("serves a seeded 10,000-project organization page by page", async () => {
    const big = await startGcpSim({ throttle: false, orgId: "555000111222" });
    try {
      const r = seedGcpOrg(big, { projects: 10_000, folders: 200, depth: 3, labels: { seeded: "yes" } });
      expect(r).toMatchObject({ projects: 10_000, folders: 200 });
      expect(big.summary().projects).toBe(10_000);
      big.registerServiceAccount({ email: "reader@x.iam.gserviceaccount.com", permissions: ["resourcemanager.*"], tokens: ["big-token"] });
      const c = projectsClient(big.port, { token: "big-token" });
      let n = 0;
      for await (const p of c.searchProjectsAsync({ query: "labels.seeded:yes", pageSize: 1000 })) {
        if (p.labels?.seeded === "yes") n++;
      }
      expect(n).toBe(10_000);
      expect(big.counters()["crm.SearchProjects"]).toBe(10);
    } finally {
      await big.close();
    }
  });
});

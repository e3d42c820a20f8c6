import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityClient } from "oci-identity";
import { requests, type models } from "oci-identity";
import { startOciSim, type OciDemoResult, type OciSim } from "./index.ts";
import { identityClient, ociError } from "./sdk-clients.ts";

let sim: OciSim;
let demo: OciDemoResult;
let id: IdentityClient;
let root: string;

beforeAll(async () => {
  sim = await startOciSim({ seed: 42, throttle: false });
  demo = sim.seedDemo();
  root = demo.credentials.tenancyId;
  id = identityClient(sim.url, demo.credentials);
});
afterAll(async () => {
  await sim.close();
});

const cmp = (path: string): string => {
  const v = demo.compartments[path];
  if (!v) throw new Error(`no compartment ${path}`);
  return v;
};

describe("OCI Identity simulator through IdentityClient", () => {
  it("GetTenancy returns the tenancy and 404s another id", async () => {
    const r = await id.getTenancy({ tenancyId: root });
    expect(r.tenancy.id).toBe(root);
    expect(r.tenancy.name).toBe("acme-corp");
    expect(r.opcRequestId).toMatch(/\//);
    const e = await ociError(id.getTenancy({ tenancyId: "ocid1.tenancy.oc1..aaaaaaaaother" }));
    expect([e.statusCode, e.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
  });

  it("lists direct children and the whole subtree with accessLevel", async () => {
    const direct = await id.listCompartments({ compartmentId: root });
    expect(direct.items.map((c) => c.name)).toEqual(["Security", "Network", "Prod", "NonProd", "Sandbox", "AI-Agents"]);
    const all = await id.listCompartments({
      compartmentId: root,
      compartmentIdInSubtree: true,
      accessLevel: requests.ListCompartmentsRequest.AccessLevel.Any,
    });
    expect(all.items.length).toBe(10);
    const data = all.items.find((c) => c.name === "Data");
    expect(data?.compartmentId).toBe(cmp("Prod"));
    expect(data?.freeformTags).toEqual({ env: "prod", data: "regulated" });
    expect(data?.lifecycleState).toBe("ACTIVE");
    const agents = all.items.find((c) => c.name === "AI-Agents");
    expect(agents?.freeformTags?.agent).toBe("true");
    const accessible = await id.listCompartments({
      compartmentId: root,
      compartmentIdInSubtree: true,
      accessLevel: requests.ListCompartmentsRequest.AccessLevel.Accessible,
    });
    expect(accessible.items.length).toBe(10);
    const bad = await ociError(id.listCompartments({ compartmentId: cmp("Prod"), compartmentIdInSubtree: true }));
    expect([bad.statusCode, bad.serviceCode]).toEqual([400, "InvalidParameter"]);
    const badLevel = await ociError(id.listCompartments({ compartmentId: root, accessLevel: "SOME" as never }));
    expect(badLevel.statusCode).toBe(400);
    const byName = await id.listCompartments({ compartmentId: cmp("Prod"), name: "App" });
    expect(byName.items.map((c) => c.id)).toEqual([cmp("Prod/App")]);
  });

  it("pages ListCompartments with limit and opc-next-page", async () => {
    const seen: string[] = [];
    let page: string | undefined;
    let pages = 0;
    do {
      const r = await id.listCompartments({ compartmentId: root, compartmentIdInSubtree: true, limit: 3, page });
      seen.push(...r.items.map((c) => c.id));
      page = r.opcNextPage;
      pages++;
    } while (page);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(10);
    const e = await ociError(id.listCompartments({ compartmentId: root, page: "garbage!" }));
    expect([e.statusCode, e.serviceCode]).toEqual([400, "InvalidParameter"]);
    const tooBig = await ociError(id.listCompartments({ compartmentId: root, limit: 5000 }));
    expect(tooBig.statusCode).toBe(400);
  });

  it("creates, gets, updates (tags, if-match) and moves compartments", async () => {
    const created = await id.createCompartment({
      createCompartmentDetails: {
        compartmentId: cmp("NonProd"),
        name: "Staging",
        description: "pre-prod",
        freeformTags: { env: "nonprod" },
        definedTags: { Operations: { CostCenter: "42" } },
      },
    });
    expect(created.compartment.lifecycleState).toBe("ACTIVE");
    expect(created.etag).toBeTruthy();
    const got = await id.getCompartment({ compartmentId: created.compartment.id });
    expect(got.compartment.definedTags).toEqual({ Operations: { CostCenter: "42" } });
    expect(got.etag).toBe(created.etag);

    const dup = await ociError(
      id.createCompartment({ createCompartmentDetails: { compartmentId: cmp("NonProd"), name: "staging", description: "x" } }),
    );
    expect([dup.statusCode, dup.serviceCode]).toEqual([409, "CompartmentAlreadyExists"]);
    const badName = await ociError(
      id.createCompartment({ createCompartmentDetails: { compartmentId: root, name: "has space", description: "x" } }),
    );
    expect([badName.statusCode, badName.serviceCode]).toEqual([400, "InvalidParameter"]);
    expect(badName.message).toContain("name");
    const noDesc = await ociError(
      id.createCompartment({ createCompartmentDetails: { compartmentId: root, name: "NoDesc" } as models.CreateCompartmentDetails }),
    );
    expect([noDesc.statusCode, noDesc.serviceCode]).toEqual([400, "MissingParameter"]);
    const noParent = await ociError(
      id.createCompartment({
        createCompartmentDetails: { compartmentId: "ocid1.compartment.oc1..aaaaaaaanope", name: "X", description: "x" },
      }),
    );
    expect(noParent.statusCode).toBe(404);

    const upd = await id.updateCompartment({
      compartmentId: created.compartment.id,
      ifMatch: got.etag,
      updateCompartmentDetails: { freeformTags: { env: "prod", tier: "gold" } },
    });
    expect(upd.compartment.freeformTags).toEqual({ env: "prod", tier: "gold" });
    expect(upd.etag).not.toBe(got.etag);
    const stale = await ociError(
      id.updateCompartment({ compartmentId: created.compartment.id, ifMatch: got.etag, updateCompartmentDetails: { description: "y" } }),
    );
    expect([stale.statusCode, stale.serviceCode]).toEqual([412, "NoEtagMatch"]);

    const moved = await id.moveCompartment({
      compartmentId: created.compartment.id,
      moveCompartmentDetails: { targetCompartmentId: cmp("Prod") },
    });
    expect(moved.opcWorkRequestId).toMatch(/^ocid1\.workrequest\./);
    const wr = await id.getWorkRequest({ workRequestId: moved.opcWorkRequestId });
    expect(wr.workRequest.status).toBe("SUCCEEDED");
    expect((await id.getCompartment({ compartmentId: created.compartment.id })).compartment.compartmentId).toBe(cmp("Prod"));

    const intoSelf = await ociError(
      id.moveCompartment({ compartmentId: cmp("Prod"), moveCompartmentDetails: { targetCompartmentId: cmp("Prod/App") } }),
    );
    expect([intoSelf.statusCode, intoSelf.serviceCode]).toEqual([400, "InvalidParameter"]);
    const clash = await ociError(
      id.moveCompartment({ compartmentId: cmp("NonProd/Dev"), moveCompartmentDetails: { targetCompartmentId: cmp("NonProd") } }),
    );
    expect(clash.statusCode).toBe(400);
  });

  it("enforces the compartment nesting depth", async () => {
    let parent = cmp("Sandbox");
    for (let d = 2; d <= 6; d++) {
      parent = (await id.createCompartment({ createCompartmentDetails: { compartmentId: parent, name: `L${d}`, description: "deep" } }))
        .compartment.id;
    }
    const e = await ociError(
      id.createCompartment({ createCompartmentDetails: { compartmentId: parent, name: "L7", description: "too deep" } }),
    );
    expect([e.statusCode, e.serviceCode]).toEqual([400, "InvalidParameter"]);
    expect(e.message).toContain("6 levels");
  });

  it("creates, reads, updates with if-match and deletes a policy with tags", async () => {
    const created = await id.createPolicy({
      createPolicyDetails: {
        compartmentId: cmp("Prod"),
        name: "parapet-guardrails",
        description: "Managed by Parapet",
        statements: [
          "Allow group AppOperators to read buckets in compartment Data",
          "Allow group AppOperators to read buckets in compartment Prod",
          "Allow group AppOperators to use instance-family in compartment id " + cmp("Prod/App"),
        ],
        freeformTags: { "parapet-managed": "true" },
        definedTags: { Parapet: { owner: "ws_123" } },
      },
      opcRetryToken: "retry-token-1",
    });
    const p = created.policy;
    expect(p.lifecycleState).toBe("ACTIVE");
    expect(p.freeformTags).toEqual({ "parapet-managed": "true" });
    expect(p.definedTags).toEqual({ Parapet: { owner: "ws_123" } });
    const replay = await id.createPolicy({
      createPolicyDetails: {
        compartmentId: cmp("Prod"),
        name: "parapet-guardrails",
        description: "Managed by Parapet",
        statements: p.statements,
        freeformTags: { "parapet-managed": "true" },
        definedTags: { Parapet: { owner: "ws_123" } },
      },
      opcRetryToken: "retry-token-1",
    });
    expect(replay.policy.id).toBe(p.id);

    const got = await id.getPolicy({ policyId: p.id });
    expect(got.policy.statements).toEqual(p.statements);
    expect(got.etag).toBe(created.etag);

    const upd = await id.updatePolicy({
      policyId: p.id,
      ifMatch: got.etag,
      updatePolicyDetails: { statements: ["Allow group AppOperators to manage buckets in compartment Data"], description: "v2" },
    });
    expect(upd.policy.statements).toEqual(["Allow group AppOperators to manage buckets in compartment Data"]);
    expect(upd.policy.description).toBe("v2");
    const stale = await ociError(id.updatePolicy({ policyId: p.id, ifMatch: got.etag, updatePolicyDetails: { description: "v3" } }));
    expect([stale.statusCode, stale.serviceCode]).toEqual([412, "NoEtagMatch"]);
    expect(stale.opcRequestId).toBeTruthy();
    const staleDelete = await ociError(id.deletePolicy({ policyId: p.id, ifMatch: got.etag }));
    expect(staleDelete.statusCode).toBe(412);

    await id.deletePolicy({ policyId: p.id, ifMatch: upd.etag });
    const gone = await ociError(id.getPolicy({ policyId: p.id }));
    expect([gone.statusCode, gone.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
  });

  it("lists policies as a bare array paged by opc-next-page", async () => {
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `page-policy-${i}`;
      names.push(name);
      await id.createPolicy({
        createPolicyDetails: {
          compartmentId: cmp("NonProd"),
          name,
          description: "paging",
          statements: ["Allow group Devs to manage all-resources in compartment Dev"],
        },
      });
    }
    const seen: string[] = [];
    let page: string | undefined;
    let pages = 0;
    do {
      const r = await id.listPolicies({ compartmentId: cmp("NonProd"), limit: 3, page });
      // the SDK maps the bare JSON array body to items; an object body would leave items undefined
      expect(Array.isArray(r.items)).toBe(true);
      seen.push(...r.items.map((x) => x.name));
      page = r.opcNextPage;
      pages++;
    } while (page);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
    const sorted = await id.listPolicies({
      compartmentId: cmp("NonProd"),
      sortBy: requests.ListPoliciesRequest.SortBy.Name,
      sortOrder: requests.ListPoliciesRequest.SortOrder.Desc,
      limit: 2,
    });
    expect(sorted.items.map((x) => x.name)).toEqual(["page-policy-6", "page-policy-5"]);
    const byName = await id.listPolicies({ compartmentId: root, name: "NetworkAdmins-Policy" });
    expect(byName.items.map((x) => x.id)).toEqual([demo.customerPolicyIds[0]]);
    const noCompartment = await ociError(id.listPolicies({ compartmentId: "" }));
    expect([noCompartment.statusCode, noCompartment.serviceCode]).toEqual([400, "MissingParameter"]);
  });

  it("rejects a duplicate policy name with 409 PolicyAlreadyExists", async () => {
    const e = await ociError(
      id.createPolicy({
        createPolicyDetails: {
          compartmentId: root,
          name: "NetworkAdmins-Policy",
          description: "dup",
          statements: ["Allow group A to read buckets in tenancy"],
        },
      }),
    );
    expect([e.statusCode, e.serviceCode]).toEqual([409, "PolicyAlreadyExists"]);
    expect(e.message).toBe("Policy 'NetworkAdmins-Policy' already exists");
  });

  it("rejects malformed statements with 400 InvalidParameter naming the statement", async () => {
    const cases: Array<[string, string]> = [
      ["Allow group A to destroy buckets in tenancy", "unknown verb"],
      ["Allow group A read buckets in tenancy", "expected 'to'"],
      ["Allow group A to read buckets in compartment NoSuchCompartment", "does not exist under current compartment hierarchy"],
      ["Allow group A to read buckets in compartment id ocid1.compartment.oc1..aaaaaaaanope", "not part of the policy compartment subtree"],
    ];
    for (const [statement, why] of cases) {
      const e = await ociError(
        id.createPolicy({ createPolicyDetails: { compartmentId: root, name: "bad-policy", description: "bad", statements: [statement] } }),
      );
      expect([e.statusCode, e.serviceCode]).toEqual([400, "InvalidParameter"]);
      expect(e.message).toContain(statement);
      expect(e.message).toContain(why);
    }
    const inTenancyFromChild = await ociError(
      id.createPolicy({
        createPolicyDetails: {
          compartmentId: cmp("Prod"),
          name: "bad-policy",
          description: "bad",
          statements: ["Allow group A to read buckets in tenancy"],
        },
      }),
    );
    expect(inTenancyFromChild.statusCode).toBe(400);
    const empty = await ociError(
      id.createPolicy({ createPolicyDetails: { compartmentId: root, name: "bad-policy", description: "bad", statements: [] } }),
    );
    expect(empty.statusCode).toBe(400);
    const updateBad = await ociError(
      id.updatePolicy({ policyId: demo.customerPolicyIds[0] as string, updatePolicyDetails: { statements: ["Allow nobody"] } }),
    );
    expect(updateBad.statusCode).toBe(400);
  });

  it("gates Deny statements on the tenancy's deny-policy flag", async () => {
    const deny = "Deny group Agents to manage buckets in compartment AI-Agents where request.permission = 'BUCKET_DELETE'";
    const ok = await id.createPolicy({
      createPolicyDetails: { compartmentId: root, name: "deny-agents", description: "deny", statements: [deny] },
    });
    expect(ok.policy.statements).toEqual([deny]);
    sim.human.setDenyPoliciesEnabled(false);
    try {
      const e = await ociError(
        id.createPolicy({ createPolicyDetails: { compartmentId: root, name: "deny-agents-2", description: "deny", statements: [deny] } }),
      );
      expect([e.statusCode, e.serviceCode]).toEqual([400, "InvalidParameter"]);
      expect(e.message).toContain("Deny policies are not enabled");
    } finally {
      sim.human.setDenyPoliciesEnabled(true);
    }
  });

  it("enforces statements-per-policy, policies-per-tenancy and per-path statement limits", async () => {
    const many = Array.from({ length: 51 }, (_, i) => `Allow group G${i} to read buckets in tenancy`);
    const tooMany = await ociError(
      id.createPolicy({ createPolicyDetails: { compartmentId: root, name: "big", description: "big", statements: many } }),
    );
    expect([tooMany.statusCode, tooMany.serviceCode]).toEqual([400, "LimitExceeded"]);
    expect(tooMany.message).toContain("50");

    const current = Number(sim.summary().policies);
    sim.configure({ limits: { policiesPerTenancy: current } });
    try {
      const full = await ociError(
        id.createPolicy({
          createPolicyDetails: {
            compartmentId: root,
            name: "one-more",
            description: "x",
            statements: ["Allow group A to read buckets in tenancy"],
          },
        }),
      );
      expect([full.statusCode, full.serviceCode]).toEqual([400, "LimitExceeded"]);
    } finally {
      sim.configure({ limits: { policiesPerTenancy: 100 } });
    }

    sim.configure({ limits: { statementsPerCompartmentPath: 8 } });
    try {
      const e = await ociError(
        id.createPolicy({
          createPolicyDetails: {
            compartmentId: cmp("Prod/Data"),
            name: "path-limit",
            description: "x",
            statements: Array.from({ length: 6 }, (_, i) => `Allow group G${i} to read buckets in compartment Data`),
          },
        }),
      );
      expect([e.statusCode, e.serviceCode]).toEqual([400, "LimitExceeded"]);
      expect(e.message).toMatch(/Limit: 8, Current Usage: \d+/);
    } finally {
      sim.configure({ limits: { statementsPerCompartmentPath: 500 } });
    }
  });

  it("404s unknown policies and compartments", async () => {
    for (const p of [
      id.getPolicy({ policyId: "ocid1.policy.oc1..aaaaaaaanope" }),
      id.getCompartment({ compartmentId: "ocid1.compartment.oc1..aaaaaaaanope" }),
      id.deletePolicy({ policyId: "ocid1.policy.oc1..aaaaaaaanope" }),
      id.getWorkRequest({ workRequestId: "ocid1.workrequest.oc1..aaaaaaaanope" }),
    ]) {
      const e = await ociError(p);
      expect([e.statusCode, e.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
      expect(e.opcRequestId).toBeTruthy();
    }
  });

  it("deletes only an empty compartment, through a work request, and keeps it readable as DELETED", async () => {
    const dev = cmp("NonProd/Dev");
    // Not empty (an ACTIVE child): the work request fails and the compartment stays ACTIVE.
    const child = (await id.createCompartment({ createCompartmentDetails: { compartmentId: dev, name: "Scratch", description: "x" } }))
      .compartment.id;
    const refused = await id.deleteCompartment({ compartmentId: dev });
    expect(refused.opcWorkRequestId).toMatch(/^ocid1\.workrequest\./);
    expect((await id.getWorkRequest({ workRequestId: refused.opcWorkRequestId })).workRequest.status).toBe("FAILED");
    expect((await id.getCompartment({ compartmentId: dev })).compartment.lifecycleState).toBe("ACTIVE");
    // A stale etag is refused before anything happens; the root cannot be deleted.
    expect((await ociError(id.deleteCompartment({ compartmentId: child, ifMatch: "stale" }))).statusCode).toBe(412);
    expect((await ociError(id.deleteCompartment({ compartmentId: root }))).statusCode).toBe(400);
    const done = await id.deleteCompartment({ compartmentId: child });
    expect((await id.getWorkRequest({ workRequestId: done.opcWorkRequestId })).workRequest.status).toBe("SUCCEEDED");
    const gone = (await id.getCompartment({ compartmentId: child })).compartment;
    expect(gone.lifecycleState).toBe("DELETED");
    expect(gone.name).toMatch(/^Scratch\.[A-Za-z0-9]{8}$/);
    // The name is free again; ListCompartments filtered to ACTIVE leaves the deleted one out.
    await id.createCompartment({ createCompartmentDetails: { compartmentId: dev, name: "Scratch", description: "again" } });
    const listed = await id.listCompartments({ compartmentId: dev, lifecycleState: "ACTIVE" });
    expect(listed.items.map((c) => c.name)).toEqual(["Scratch"]);
    // A second delete of a deleted compartment: 404 like any compartment that is not ACTIVE.
    expect((await ociError(id.deleteCompartment({ compartmentId: child }))).serviceCode).toBe("NotAuthorizedOrNotFound");
  });
});

/**
 * Custom constraints. @google-cloud/org-policy 3.0.1 — the only version the registry offers here — was
 * generated before the CustomConstraint RPCs existed, so these calls are made exactly as the REST
 * transport would make them from googleapis' orgpolicy.proto http rules
 * (`/v2/{parent=organizations/*}/customConstraints`, `$alt=json;enum-encoding=int`). Policies that use a
 * custom constraint then go through the real SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orgPolicyClient } from "./clients.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "./index.ts";

let sim: GcpSim;
let demo: GcpDemo;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false });
  demo = seedGcpDemo(sim);
});
afterAll(async () => sim.close());

async function call(
  method: string,
  path: string,
  body?: unknown,
  token = demo.serviceAccount.token,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/v2/${path}${path.includes("?") ? "&" : "?"}$alt=json%3Benum-encoding=int`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const cc = (id: string, extra: Record<string, unknown> = {}) => ({
  name: `organizations/${demo.orgId}/customConstraints/${id}`,
  resourceTypes: ["container.googleapis.com/NodePool"],
  methodTypes: [1, 2],
  condition: "resource.management.autoUpgrade == false",
  actionType: 2,
  displayName: "Disable node auto-upgrade",
  description: "Parapet managed",
  ...extra,
});

describe("Org Policy custom constraints (REST wire of googleapis orgpolicy v2)", () => {
  it("creates, gets, lists, updates and deletes a custom constraint; policies can use it", async () => {
    const org = `organizations/${demo.orgId}`;
    const created = await call("POST", `${org}/customConstraints`, cc("custom.parapetNoAutoUpgradeOff"));
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      name: `${org}/customConstraints/custom.parapetNoAutoUpgradeOff`,
      methodTypes: [1, 2],
      actionType: 2,
    });
    expect(typeof created.json.updateTime).toBe("string");

    const dup = await call("POST", `${org}/customConstraints`, cc("custom.parapetNoAutoUpgradeOff"));
    expect(dup).toMatchObject({ status: 409, json: { error: { code: 409, status: "ALREADY_EXISTS" } } });

    const got = await call("GET", `${org}/customConstraints/custom.parapetNoAutoUpgradeOff`);
    expect(got.json.condition).toBe("resource.management.autoUpgrade == false");
    const list = await call("GET", `${org}/customConstraints`);
    expect((list.json.customConstraints as unknown[]).length).toBe(1);

    const upd = await call(
      "PATCH",
      `${org}/customConstraints/custom.parapetNoAutoUpgradeOff`,
      cc("custom.parapetNoAutoUpgradeOff", { actionType: "ALLOW", methodTypes: ["CREATE"] }),
    );
    expect(upd.json).toMatchObject({ actionType: 1, methodTypes: [1] });
    const immut = await call(
      "PATCH",
      `${org}/customConstraints/custom.parapetNoAutoUpgradeOff`,
      cc("custom.parapetNoAutoUpgradeOff", { resourceTypes: ["compute.googleapis.com/Instance"] }),
    );
    expect(immut.status).toBe(400);

    const sdk = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const [constraints] = await sdk.listConstraints({ parent: org });
    expect(constraints.some((c) => c.name === `${org}/constraints/custom.parapetNoAutoUpgradeOff` && c.booleanConstraint)).toBe(true);
    const folder = demo.folders.Production ?? "";
    const [p] = await sdk.createPolicy({
      parent: folder,
      policy: { name: `${folder}/policies/custom.parapetNoAutoUpgradeOff`, spec: { rules: [{ enforce: true }] } },
    });
    expect(p.spec?.rules?.[0]?.enforce).toBe(true);

    expect((await call("DELETE", `${org}/customConstraints/custom.parapetNoAutoUpgradeOff`)).status).toBe(200);
    expect((await call("GET", `${org}/customConstraints/custom.parapetNoAutoUpgradeOff`)).status).toBe(404);
  });

  it("compiles the CEL condition on write and refuses one that does not compile (400, nothing created)", async () => {
    const org = `organizations/${demo.orgId}`;
    const cases: [string, RegExp][] = [
      ["resource.management.autoUpgrade ==", /not a valid CEL expression/],
      ["resource.name == 'x' && request.auth == 'y'", /undeclared reference to 'request'/],
      ["RoleNameIs(resource.name, ['x']) && resource.name != ''", /undeclared reference to function 'RoleNameIs'/],
      ["resource.locations.exists(l, l == 'x') && l.size() > 0", /undeclared reference to 'l'/],
    ];
    for (const [condition, why] of cases) {
      const r = await call("POST", `${org}/customConstraints`, cc("custom.celBad", { condition }));
      expect(r, condition).toMatchObject({ status: 400, json: { error: { code: 400, status: "INVALID_ARGUMENT" } } });
      expect((r.json.error as { message: string }).message).toMatch(why);
      expect((await call("GET", `${org}/customConstraints/custom.celBad`)).status).toBe(404);
    }
    // What compiles: macros with their own variables, has(), Google's IAM functions, map keys (labels).
    const allow = ["iam.googleapis.com/AllowPolicy"];
    const bucket = ["storage.googleapis.com/Bucket"];
    for (const [i, [condition, resourceTypes]] of (
      [
        ["resource.bindings.exists(binding, RoleNameMatches(binding.role, ['roles/owner']))", allow],
        ["!has(resource.encryption) || resource.encryption.defaultKmsKeyName == ''", bucket],
        ["resource.bindings.all(b, b.members.all(m, MemberSubjectEndsWith(m, ['@example.com'])))", allow],
        ["resource.labels.env == 'prod' && resource.iamConfiguration.publicAccessPrevention != 'enforced'", bucket],
        ["resource.config.machineType == 'e2-small'", ["container.googleapis.com/NodePool"]],
      ] as const
    ).entries()) {
      const r = await call("POST", `${org}/customConstraints`, cc(`custom.celGood${i}`, { condition, resourceTypes }));
      expect(r.status, condition).toBe(200);
    }
  });

  it("refuses a condition that selects a field the resource type does not have, as GCP's type check does", async () => {
    const org = `organizations/${demo.orgId}`;
    const cases: [string, string, RegExp][] = [
      ["storage.googleapis.com/Bucket", "resource.encryption.defaultKmsKey == ''", /undefined field 'defaultKmsKey'/],
      ["storage.googleapis.com/Bucket", "!has(resource.encrypton)", /undefined field 'encrypton'/],
      ["iam.googleapis.com/AllowPolicy", "resource.bindings.exists(b, b.roles == 'roles/owner')", /undefined field 'roles'/],
      ["container.googleapis.com/NodePool", "resource.management.autoUpgrad == false", /undefined field 'autoUpgrad'/],
      // A field of another resource type: the Bucket condition on a node pool.
      ["container.googleapis.com/NodePool", "resource.encryption.defaultKmsKeyName == ''", /undefined field 'encryption'/],
    ];
    for (const [type, condition, why] of cases) {
      const r = await call("POST", `${org}/customConstraints`, cc("custom.fieldBad", { condition, resourceTypes: [type] }));
      expect(r, condition).toMatchObject({ status: 400, json: { error: { code: 400, status: "INVALID_ARGUMENT" } } });
      expect((r.json.error as { message: string }).message).toMatch(why);
      expect((await call("GET", `${org}/customConstraints/custom.fieldBad`)).status).toBe(404);
    }
  });

  it("validates names, method types, action type, condition length and the per-resource-type quota", async () => {
    const org = `organizations/${demo.orgId}`;
    const bad = async (body: unknown): Promise<string> => {
      const r = await call("POST", `${org}/customConstraints`, body);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
      return (r.json.error as { message: string }).message;
    };
    expect(await bad(cc("notCustom"))).toMatch(/custom\./);
    expect(await bad(cc("custom.x", { methodTypes: ["DELETE"] }))).toMatch(/DELETE is not supported/);
    expect(await bad(cc("custom.x", { methodTypes: ["UPDATE"] }))).toMatch(/UPDATE-only/);
    expect(await bad(cc("custom.x", { actionType: 0 }))).toMatch(/ALLOW or DENY/);
    expect(await bad(cc("custom.x", { condition: `resource.name == "${"a".repeat(1000)}"` }))).toMatch(/maximum is 1000/);
    expect(await bad(cc("custom.x", { resourceTypes: ["NodePool"] }))).toMatch(/service\.googleapis\.com\/Type/);
    // Earlier tests left some Bucket constraints: fill the quota of 20 up from what is there.
    const listed = (await call("GET", `${org}/customConstraints`)).json.customConstraints as { resourceTypes: string[] }[];
    const existing = listed.filter((c) => c.resourceTypes.includes("storage.googleapis.com/Bucket")).length;
    for (let i = 0; i < 20 - existing; i++) {
      const r = await call(
        "POST",
        `${org}/customConstraints`,
        cc(`custom.q${i}`, { resourceTypes: ["storage.googleapis.com/Bucket"], condition: "resource.storageClass == 'STANDARD'" }),
      );
      expect(r.status).toBe(200);
    }
    const over = await call(
      "POST",
      `${org}/customConstraints`,
      cc("custom.q20", { resourceTypes: ["storage.googleapis.com/Bucket"], condition: "resource.storageClass == 'STANDARD'" }),
    );
    expect(over).toMatchObject({ status: 400, json: { error: { status: "FAILED_PRECONDITION" } } });
    const ro = await call("POST", `${org}/customConstraints`, cc("custom.readonly"), demo.readOnly.token);
    expect(ro).toMatchObject({ status: 403, json: { error: { status: "PERMISSION_DENIED" } } });
  });
});

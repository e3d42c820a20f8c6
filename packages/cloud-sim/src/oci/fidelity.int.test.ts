import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityClient } from "oci-identity";
import { startOciSim, type OciDemoResult, type OciSim } from "./index.ts";
import { cloudGuardClient, identityClient, ociError } from "./sdk-clients.ts";

/** Refusals the real OCI APIs make, each with the code and shape OCI answers. */
let sim: OciSim;
let demo: OciDemoResult;
let id: IdentityClient;
let root: string;

beforeAll(async () => {
  sim = await startOciSim({ seed: 11, throttle: false });
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

describe("OCI Identity: policy names", () => {
  it("refuses a policy named like one in another compartment with 409 PolicyAlreadyExists (names are unique in the tenancy)", async () => {
    const e = await ociError(
      id.createPolicy({
        createPolicyDetails: {
          compartmentId: cmp("Sandbox"),
          name: "NetworkAdmins-Policy",
          description: "dup",
          statements: ["Allow group A to read buckets in compartment Sandbox"],
        },
      }),
    );
    expect([e.statusCode, e.serviceCode]).toEqual([409, "PolicyAlreadyExists"]);
    expect(root).toMatch(/^ocid1\.tenancy\./);
  });
});

describe("OCI Identity: the deny-policy guard created when IAM deny policies are enabled", () => {
  const deny = (name: string) => ({
    compartmentId: cmp("Sandbox"),
    name,
    description: "deny",
    statements: ["deny group Agents to manage buckets in compartment Sandbox where request.permission = 'BUCKET_DELETE'"],
  });

  it("enabling creates the root guard naming the enabling administrator", async () => {
    const fresh = await startOciSim({ seed: 12, throttle: false });
    try {
      fresh.human.setDenyPoliciesEnabled(true);
      const guard = [...fresh.store.policies.values()].filter(
        (p) => p.compartmentId === fresh.tenancyId && /target\.policy\.type/.test(p.statements.join()),
      );
      expect(guard.map((p) => p.statements)).toEqual([
        [`deny any-user to manage policies in tenancy where all {target.policy.type='deny', request.principal.id!='${fresh.humanUserId}'}`],
      ]);
      fresh.human.setDenyPoliciesEnabled(false);
      fresh.human.setDenyPoliciesEnabled(true, { guard: false });
      expect([...fresh.store.policies.values()].filter((p) => /target\.policy\.type/.test(p.statements.join())).length).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it("refuses a deny statement from a principal the guard does not except with 404 NotAuthorizedOrNotFound; allow statements still pass", async () => {
    const other = sim.createUser({ name: "ops@acme.example", groups: ["Operators"] });
    const client = identityClient(sim.url, { ...other, privateKeyPem: other.privateKeyPem as string });
    const e = await ociError(client.createPolicy({ createPolicyDetails: deny("ops-deny") }));
    expect([e.statusCode, e.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
    expect(e.message).toBe("Authorization failed or requested resource not found.");
    expect([...sim.store.policies.values()].some((p) => p.name === "ops-deny")).toBe(false);
    const allowed = await client.createPolicy({
      createPolicyDetails: { ...deny("ops-allow"), statements: ["Allow group Agents to read buckets in compartment Sandbox"] },
    });
    // Adding a deny statement to an allow-only policy is a deny-policy write too.
    const upd = await ociError(
      client.updatePolicy({
        policyId: allowed.policy.id,
        updatePolicyDetails: { statements: [...allowed.policy.statements, deny("x").statements[0]!] },
      }),
    );
    expect([upd.statusCode, upd.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
    // The connector the guard excepts (the demo tenancy's guard was edited as bootstrap asks) writes deny statements.
    const ours = await id.createPolicy({ createPolicyDetails: deny("connector-deny") });
    // …and removing them is a deny-policy write the other user cannot make either.
    const del = await ociError(client.deletePolicy({ policyId: ours.policy.id }));
    expect([del.statusCode, del.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
  });

  it("exempts members of the default domain's Administrators group from the guard (admins are exempt from every deny)", async () => {
    const admin = sim.createUser({ name: "second-admin@acme.example", groups: ["Administrators"] });
    const client = identityClient(sim.url, { ...admin, privateKeyPem: admin.privateKeyPem as string });
    const r = await client.createPolicy({ createPolicyDetails: deny("admin-deny") });
    expect(r.policy.name).toBe("admin-deny");
  });

  it("lets a principal write deny statements once the guard's statement excepts it", async () => {
    const later = sim.createUser({ name: "later@acme.example" });
    const client = identityClient(sim.url, { ...later, privateKeyPem: later.privateKeyPem as string });
    expect((await ociError(client.createPolicy({ createPolicyDetails: deny("later-deny") }))).statusCode).toBe(404);
    const guard = [...sim.store.policies.values()].find((p) => /target\.policy\.type/.test(p.statements.join()))!;
    sim.human.editPolicy(guard.id, { statements: [guard.statements[0]!.replace(/\}$/, `, request.principal.id!='${later.userId}'}`)] });
    expect((await client.createPolicy({ createPolicyDetails: deny("later-deny") })).policy.name).toBe("later-deny");
  });
});

describe("Cloud Guard: creating a security zone replaces the targets of the compartment's subtree", () => {
  it("deletes the customer's targets on the compartment and its subcompartments, and creates the zone's target", async () => {
    const cg = cloudGuardClient(sim.url, demo.credentials);
    const onData = sim.human.createCloudGuardTarget(cmp("Prod/Data"), "data-monitoring");
    const onNetwork = sim.human.createCloudGuardTarget(cmp("Network"), "network-monitoring");
    const before = await cg.listTargets({ compartmentId: root, compartmentIdInSubtree: true });
    expect(before.targetCollection.items.map((t) => t.displayName).sort()).toEqual(["data-monitoring", "network-monitoring"]);
    const policies = (await cg.listSecurityPolicies({ compartmentId: root })).securityPolicyCollection.items;
    const recipe = await cg.createSecurityRecipe({
      createSecurityRecipeDetails: { displayName: "prod-recipe", compartmentId: cmp("Prod"), securityPolicies: [policies[0]!.id] },
    });
    const zone = await cg.createSecurityZone({
      createSecurityZoneDetails: { displayName: "prod-zone", compartmentId: cmp("Prod"), securityZoneRecipeId: recipe.securityRecipe.id },
    });
    const after = (await cg.listTargets({ compartmentId: root, compartmentIdInSubtree: true })).targetCollection.items;
    expect(after.map((t) => t.id)).not.toContain(onData.id);
    expect(after.map((t) => t.id)).toContain(onNetwork.id);
    const zoneTarget = after.find((t) => String(t.targetResourceType) === "SECURITY_ZONE");
    expect(zoneTarget?.id).toBe(zone.securityZone.securityZoneTargetId);
    expect(zoneTarget?.targetResourceId).toBe(cmp("Prod"));
    const gone = await ociError(cg.getTarget({ targetId: onData.id }));
    expect([gone.statusCode, gone.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
  });
});

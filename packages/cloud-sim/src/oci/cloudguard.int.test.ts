import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models, type CloudGuardClient } from "oci-cloudguard";
import { startOciSim, type OciDemoResult, type OciSim } from "./index.ts";
import { cloudGuardClient, ociError } from "./sdk-clients.ts";

let sim: OciSim;
let demo: OciDemoResult;
let cg: CloudGuardClient;
let root: string;

beforeAll(async () => {
  sim = await startOciSim({ seed: 7, throttle: false });
  demo = sim.seedDemo();
  root = demo.credentials.tenancyId;
  cg = cloudGuardClient(sim.url, demo.credentials);
});
afterAll(async () => {
  await sim.close();
});

const cmp = (path: string): string => {
  const v = demo.compartments[path];
  if (!v) throw new Error(`no compartment ${path}`);
  return v;
};

async function policyIds(): Promise<Record<string, string>> {
  const r = await cg.listSecurityPolicies({ compartmentId: root });
  return Object.fromEntries(r.securityPolicyCollection.items.map((p) => [p.friendlyName ?? "", p.id]));
}

describe("OCI Cloud Guard simulator through CloudGuardClient", () => {
  it("lists and gets the Oracle-managed security zone policies", async () => {
    const r = await cg.listSecurityPolicies({ compartmentId: root });
    const names = r.securityPolicyCollection.items.map((p) => p.friendlyName);
    expect(names).toEqual([
      "deny public_buckets",
      "deny db_instance_public_access",
      "deny block_volume_without_vault_key",
      "deny boot_volume_without_vault_key",
      "deny buckets_without_vault_key",
      "deny file_system_without_vault_key",
    ]);
    for (const p of r.securityPolicyCollection.items) {
      expect(p.id).toMatch(/^ocid1\.securityzonessecuritypolicy\.oc1\.\./);
      expect(p.owner).toBe("ORACLE");
    }
    const first = r.securityPolicyCollection.items[0];
    const got = await cg.getSecurityPolicy({ securityPolicyId: first?.id ?? "" });
    expect(got.securityPolicy.category).toBe("Deny public access");
    const paged = await cg.listSecurityPolicies({ compartmentId: root, limit: 4 });
    expect(paged.securityPolicyCollection.items.length).toBe(4);
    const rest = await cg.listSecurityPolicies({ compartmentId: root, limit: 4, page: paged.opcNextPage });
    expect(rest.securityPolicyCollection.items.length).toBe(2);
    expect(rest.opcNextPage).toBeUndefined();
    const e = await ociError(cg.getSecurityPolicy({ securityPolicyId: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaanope" }));
    expect([e.statusCode, e.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
  });

  it("creates, gets, updates with if-match, lists and deletes a security recipe", async () => {
    const ids = await policyIds();
    const created = await cg.createSecurityRecipe({
      createSecurityRecipeDetails: {
        displayName: "parapet-prod-recipe",
        description: "CIS level 1",
        compartmentId: root,
        securityPolicies: [ids["deny public_buckets"] ?? "", ids["deny db_instance_public_access"] ?? ""],
        freeformTags: { "parapet-managed": "true" },
      },
    });
    const r = created.securityRecipe;
    expect(r.owner).toBe("CUSTOMER");
    expect(r.lifecycleState).toBe("ACTIVE");
    const got = await cg.getSecurityRecipe({ securityRecipeId: r.id });
    expect(got.securityRecipe.securityPolicies).toHaveLength(2);
    const upd = await cg.updateSecurityRecipe({
      securityRecipeId: r.id,
      ifMatch: got.etag,
      updateSecurityRecipeDetails: { displayName: "parapet-prod-recipe", securityPolicies: Object.values(ids) },
    });
    expect(upd.securityRecipe.securityPolicies).toHaveLength(6);
    const stale = await ociError(
      cg.updateSecurityRecipe({ securityRecipeId: r.id, ifMatch: got.etag, updateSecurityRecipeDetails: { displayName: "x" } }),
    );
    expect([stale.statusCode, stale.serviceCode]).toEqual([412, "NoEtagMatch"]);

    const list = await cg.listSecurityRecipes({ compartmentId: root });
    const owners = list.securityRecipeCollection.items.map((x) => x.owner);
    expect(owners).toContain("ORACLE");
    expect(list.securityRecipeCollection.items.map((x) => x.id)).toContain(r.id);

    const badPolicy = await ociError(
      cg.createSecurityRecipe({
        createSecurityRecipeDetails: {
          displayName: "bad",
          compartmentId: root,
          securityPolicies: ["ocid1.securityzonessecuritypolicy.oc1..aaaaaaaanope"],
        },
      }),
    );
    expect([badPolicy.statusCode, badPolicy.serviceCode]).toEqual([400, "InvalidParameter"]);
    const missingField = await ociError(
      cg.createSecurityRecipe({ createSecurityRecipeDetails: { displayName: "bad", compartmentId: root } as never }),
    );
    expect([missingField.statusCode, missingField.serviceCode]).toEqual([400, "MissingParameter"]);

    const oracle = list.securityRecipeCollection.items.find((x) => x.owner === models.OwnerType.Oracle);
    const oracleDelete = await ociError(cg.deleteSecurityRecipe({ securityRecipeId: oracle?.id ?? "" }));
    expect(oracleDelete.statusCode).toBe(400);

    await cg.deleteSecurityRecipe({ securityRecipeId: r.id, ifMatch: upd.etag });
    const gone = await ociError(cg.getSecurityRecipe({ securityRecipeId: r.id }));
    expect(gone.statusCode).toBe(404);
  });

  it("manages security zones: one per compartment, inheritance, subtree listing, if-match, delete", async () => {
    const ids = await policyIds();
    const recipe = (
      await cg.createSecurityRecipe({
        createSecurityRecipeDetails: {
          displayName: "zone-recipe",
          compartmentId: root,
          securityPolicies: [ids["deny public_buckets"] ?? ""],
        },
      })
    ).securityRecipe;
    const zone = await cg.createSecurityZone({
      createSecurityZoneDetails: {
        displayName: "prod-zone",
        compartmentId: cmp("Prod"),
        securityZoneRecipeId: recipe.id,
        freeformTags: { "parapet-managed": "true" },
      },
    });
    const z = zone.securityZone;
    expect(z.lifecycleState).toBe("ACTIVE");
    expect(z.compartmentId).toBe(cmp("Prod"));
    expect(new Set(z.inheritedByCompartments)).toEqual(new Set([cmp("Prod/App"), cmp("Prod/Data")]));
    expect(z.securityZoneTargetId).toMatch(/^ocid1\.cloudguardtarget\./);

    const second = await ociError(
      cg.createSecurityZone({
        createSecurityZoneDetails: { displayName: "prod-zone-2", compartmentId: cmp("Prod"), securityZoneRecipeId: recipe.id },
      }),
    );
    expect([second.statusCode, second.serviceCode]).toEqual([409, "Conflict"]);
    const noRecipe = await ociError(
      cg.createSecurityZone({
        createSecurityZoneDetails: {
          displayName: "nr",
          compartmentId: cmp("Sandbox"),
          securityZoneRecipeId: "ocid1.securityzonessecurityrecipe.oc1..aaaaaaaanope",
        },
      }),
    );
    expect(noRecipe.statusCode).toBe(404);

    const child = await cg.createSecurityZone({
      createSecurityZoneDetails: { displayName: "data-zone", compartmentId: cmp("Prod/Data"), securityZoneRecipeId: recipe.id },
    });
    const parentNow = await cg.getSecurityZone({ securityZoneId: z.id });
    expect(parentNow.securityZone.inheritedByCompartments).toEqual([cmp("Prod/App")]);

    const direct = await cg.listSecurityZones({ compartmentId: cmp("Prod") });
    expect(direct.securityZoneCollection.items.map((x) => x.id)).toEqual([z.id]);
    const subtree = await cg.listSecurityZones({ compartmentId: root, isRequiredSecurityZonesInSubtree: true });
    expect(new Set(subtree.securityZoneCollection.items.map((x) => x.id))).toEqual(new Set([z.id, child.securityZone.id]));
    const byRecipe = await cg.listSecurityZones({
      compartmentId: root,
      isRequiredSecurityZonesInSubtree: true,
      securityRecipeId: recipe.id,
      limit: 1,
    });
    expect(byRecipe.securityZoneCollection.items).toHaveLength(1);
    expect(byRecipe.opcNextPage).toBeTruthy();

    const upd = await cg.updateSecurityZone({
      securityZoneId: z.id,
      ifMatch: parentNow.etag,
      updateSecurityZoneDetails: { displayName: "prod-zone", description: "updated" },
    });
    expect(upd.securityZone.description).toBe("updated");
    const stale = await ociError(
      cg.updateSecurityZone({ securityZoneId: z.id, ifMatch: parentNow.etag, updateSecurityZoneDetails: { displayName: "prod-zone" } }),
    );
    expect([stale.statusCode, stale.serviceCode]).toEqual([412, "NoEtagMatch"]);

    const inUse = await ociError(cg.deleteSecurityRecipe({ securityRecipeId: recipe.id }));
    expect([inUse.statusCode, inUse.serviceCode]).toEqual([409, "Conflict"]);

    await cg.deleteSecurityZone({ securityZoneId: child.securityZone.id });
    await cg.deleteSecurityZone({ securityZoneId: z.id, ifMatch: upd.etag });
    const gone = await ociError(cg.getSecurityZone({ securityZoneId: z.id }));
    expect(gone.statusCode).toBe(404);
    await cg.deleteSecurityRecipe({ securityRecipeId: recipe.id });
    const missingCompartment = await ociError(cg.listSecurityZones({ compartmentId: "" }));
    expect([missingCompartment.statusCode, missingCompartment.serviceCode]).toEqual([400, "MissingParameter"]);
  });
});

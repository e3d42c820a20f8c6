import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityClient } from "oci-identity";
import { startOciSim, type OciDemoResult, type OciSim } from "./index.ts";
import { identityClient, ociError } from "./sdk-clients.ts";

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
        createPolicyDetails: { compartmentId: cmp("Sandbox"), name: "NetworkAdmins-Policy", description: "dup", statements: ["Allow group A to read buckets in compartment Sandbox"] },
      }),
    );
    expect([e.statusCode, e.serviceCode]).toEqual([409, "PolicyAlreadyExists"]);
    expect(root).toMatch(/^ocid1\.tenancy\./);
  });
});

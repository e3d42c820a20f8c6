import { describe, expect, it } from "vitest";
import { connectionPayload, validateDraft, type CredentialsDraft } from "./cloud-forms.ts";

const aws: CredentialsDraft = {
  name: "Acme AWS",
  endpoint: "",
  kind: "assume-role",
  facts: { orgId: "o-abc123def45", managementAccountId: "111122223333" },
  fields: { roleArn: "arn:aws:iam::111122223333:role/ParapetConnector" },
};

describe("validateDraft", () => {
  it("accepts a complete AWS draft and names each bad field like the API does", () => {
    expect(validateDraft("aws", aws, { externalId: "ext-123" })).toEqual({});
    const bad = validateDraft("aws", { ...aws, name: "", facts: { orgId: "abc", managementAccountId: "" } }, { externalId: "ext-123" });
    expect(Object.keys(bad).sort()).toEqual(["facts.managementAccountId", "facts.orgId", "name"]);
    expect(bad["facts.orgId"]).toMatch(/o-abc123def4/);
  });
  it("requires both AWS source keys or neither", () => {
    const e = validateDraft("aws", { ...aws, fields: { ...aws.fields, sourceAccessKeyId: "AKIAABCDEFGHIJKLMNOP" } }, { externalId: "x1" });
    expect(e["credentials.sourceSecretAccessKey"]).toMatch(/both/);
  });
  it("refuses a GCP key file that is not JSON", () => {
    const e = validateDraft(
      "gcp",
      {
        name: "g",
        endpoint: "",
        kind: "service_account_key",
        facts: { organizationId: "123", directoryCustomerId: "C03abc12" },
        fields: { key: "{nope" },
      },
      {},
    );
    expect(e["credentials.key"]).toMatch(/not valid JSON/);
  });
});

describe("connectionPayload", () => {
  it("fills the AWS external id from the bootstrap and sets the discriminator", () => {
    const p = connectionPayload("aws", aws, { externalId: "ext-123" });
    expect(p).toEqual({
      cloud: "aws",
      name: "Acme AWS",
      facts: { orgId: "o-abc123def45", managementAccountId: "111122223333" },
      credentials: { kind: "assume-role", roleArn: "arn:aws:iam::111122223333:role/ParapetConnector", externalId: "ext-123" },
    });
  });
  it("derives the GCP connector principal from the key file", () => {
    const key = { type: "service_account", client_email: "parapet@p.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----x" };
    const p = connectionPayload(
      "gcp",
      {
        name: "g",
        endpoint: "http://127.0.0.1:9",
        kind: "service_account_key",
        facts: { organizationId: "123", directoryCustomerId: "C03abc12" },
        fields: { key: JSON.stringify(key) },
      },
      {},
    );
    expect(p.credentials).toEqual({ type: "service_account_key", key });
    expect(p.principals).toEqual({
      connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/parapet@p.iam.gserviceaccount.com"],
    });
    expect(p.endpoint).toBe("http://127.0.0.1:9");
  });
  it("copies the OCI tenancy into the credentials, which carry no discriminator", () => {
    const p = connectionPayload(
      "oci",
      {
        name: "o",
        endpoint: "",
        kind: "api-key",
        facts: { tenancyOcid: "ocid1.tenancy.oc1..aaaa" },
        fields: { userId: "ocid1.user.oc1..bbbb", fingerprint: "aa", privateKeyPem: "pem", passphrase: "", region: "eu-frankfurt-1" },
      },
      {},
    );
    expect(p.credentials).toEqual({
      tenancyId: "ocid1.tenancy.oc1..aaaa",
      userId: "ocid1.user.oc1..bbbb",
      fingerprint: "aa",
      privateKeyPem: "pem",
      region: "eu-frankfurt-1",
    });
  });
});

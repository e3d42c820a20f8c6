import { describe, expect, it } from "vitest";
import { withConnectorIdentity } from "./connector-identity.ts";

const user = "ocid1.user.oc1..aaaaaaaaconnectoruser";

describe("withConnectorIdentity", () => {
  it("names the OCI user Parapet signs in as when the connector class names no OCID", () => {
    expect(withConnectorIdentity("oci", {}, { userId: user })).toEqual({ connector: { groups: ["ParapetConnector"], principalIds: [user] } });
    expect(withConnectorIdentity("oci", { connector: { groups: ["Mine"] } }, { userId: user })).toEqual({ connector: { groups: ["Mine"], principalIds: [user] } });
  });

  it("leaves OCIDs the customer gave, other clouds and unusable credentials alone", () => {
    const given = { connector: { groupIds: ["ocid1.group.oc1..aaaaaaaagroup"] } };
    expect(withConnectorIdentity("oci", given, { userId: user })).toBe(given);
    expect(withConnectorIdentity("aws", {}, { userId: user })).toEqual({});
    expect(withConnectorIdentity("oci", {}, { userId: "not-an-ocid" })).toEqual({});
    expect(withConnectorIdentity("oci", {}, null)).toEqual({});
  });
});

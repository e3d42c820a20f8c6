import { describe, expect, it } from "vitest";
import { blockedAddressReason } from "./addresses.ts";
import { checkEndpointUrl, EMPTY_ALLOWLIST, isAllowlisted, isAzureAuthorityHost, isCloudApiHost, parseEgressAllowlist } from "./hosts.ts";
import { publicMessage } from "../contract/public-message.ts";
import { ProviderError } from "../contract/errors.ts";
import { EgressRefusedError } from "./guard.ts";

describe("blockedAddressReason", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.255.1.2", /loopback/],
    ["0.0.0.0", /this-network/],
    ["10.1.2.3", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["100.64.0.1", /CGNAT/],
    ["100.127.255.255", /CGNAT/],
    ["169.254.169.254", /metadata/],
    ["169.254.170.2", /metadata/],
    ["169.254.1.1", /link-local/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::", /unspecified/],
    ["::1", /loopback/],
    ["[::1]", /loopback/],
    ["::ffff:127.0.0.1", /IPv4-mapped loopback/],
    ["::ffff:7f00:1", /IPv4-mapped loopback/],
    ["::ffff:169.254.169.254", /IPv4-mapped cloud metadata/],
    ["::ffff:10.0.0.1", /IPv4-mapped private/],
    ["::127.0.0.1", /IPv4-compatible/],
    ["64:ff9b::a9fe:a9fe", /NAT64 cloud metadata/],
    ["2002:7f00:1::", /6to4 loopback/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["fc00::1", /unique local/],
    ["fd12:3456::1", /unique local/],
    ["fd00:ec2::254", /metadata/],
    ["ff02::1", /multicast/],
    ["not-an-ip", /not an IP/],
  ])("refuses %s", (ip, why) => {
    expect(blockedAddressReason(ip)).toMatch(why);
  });

  it.each([
    "8.8.8.8",
    "52.94.236.248",
    "100.128.0.1",
    "172.32.0.1",
    "199.36.153.8",
    "2607:f8b0:4004:c1b::5f",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("lets public %s through", (ip) => {
    expect(blockedAddressReason(ip)).toBeUndefined();
  });
});

describe("cloud API hosts", () => {
  it.each([
    ["aws", "organizations.us-east-1.amazonaws.com"],
    ["aws", "organizations-fips.us-east-1.amazonaws.com"],
    ["aws", "organizations.us-gov-west-1.amazonaws.com"],
    ["aws", "organizations.cn-northwest-1.amazonaws.com.cn"],
    ["aws", "sts.amazonaws.com"],
    ["aws", "sts.eu-central-1.amazonaws.com"],
    ["aws", "sts-fips.us-gov-east-1.amazonaws.com"],
    ["azure", "management.azure.com"],
    ["azure", "management.usgovcloudapi.net"],
    ["azure", "management.chinacloudapi.cn"],
    ["aws", "cloudtrail.eu-west-1.amazonaws.com"],
    ["aws", "config.us-east-1.amazonaws.com"],
    ["aws", "s3.eu-west-1.amazonaws.com"],
    ["aws", "s3.amazonaws.com"],
    ["aws", "s3-fips.dualstack.us-gov-west-1.amazonaws.com"],
    ["gcp", "logging.googleapis.com"],
    ["gcp", "cloudidentity.googleapis.com"],
    ["oci", "audit.eu-frankfurt-1.oraclecloud.com"],
    ["gcp", "orgpolicy.googleapis.com"],
    ["gcp", "cloudresourcemanager.googleapis.com"],
    ["gcp", "restricted.googleapis.com"],
    ["gcp", "private.googleapis.com"],
    ["gcp", "orgpolicy.europe-west3.rep.googleapis.com"],
    ["oci", "identity.us-ashburn-1.oci.oraclecloud.com"],
    ["oci", "identity.us-langley-1.oraclegovcloud.com"],
    ["oci", "identity.uk-gov-london-1.oraclegovcloud.uk"],
    ["oci", "cloudguard-cp-api.eu-frankfurt-1.oci.oraclecloud.com"],
    ["oci", "identity.eu-madrid-2.oraclecloud.eu"],
  ] as const)("%s accepts %s", (cloud, host) => {
    expect(isCloudApiHost(cloud, host)).toBe(true);
  });

  it.each([
    ["aws", "evil-bucket.s3-website-us-east-1.amazonaws.com"],
    ["aws", "evil-bucket.s3.us-east-1.amazonaws.com"],
    ["aws", "evil-bucket.s3.amazonaws.com"],
    ["aws", "s3-website.us-east-1.amazonaws.com"],
    ["aws", "abc123.execute-api.us-east-1.amazonaws.com"],
    ["aws", "organizations.us-east-1.amazonaws.com.evil.example"],
    ["aws", "amazonaws.com"],
    ["azure", "myapp.azurewebsites.net"],
    ["azure", "management.azure.com.evil.example"],
    ["gcp", "storage.googleapis.com"],
    ["gcp", "evil.example"],
    ["oci", "abc.us-ashburn-1.functions.oci.oraclecloud.com"],
    ["oci", "objectstorage.us-ashburn-1.oraclecloud.com"],
    ["aws", "management.azure.com"],
  ] as const)("%s refuses %s", (cloud, host) => {
    expect(isCloudApiHost(cloud, host)).toBe(false);
  });

  it("knows the Microsoft authorities of every national cloud", () => {
    for (const h of ["login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn"])
      expect(isAzureAuthorityHost(h)).toBe(true);
    for (const h of ["login.microsoftonline.com.evil.example", "login.sovereign.example", "127.0.0.1"])
      expect(isAzureAuthorityHost(h)).toBe(false);
  });
});

describe("PARAPET_ENDPOINT_ALLOWLIST", () => {
  it("parses host, host:port, wildcard and bracketed IPv6 entries", () => {
    const list = parseEgressAllowlist("127.0.0.1:4010, sim.internal *.corp.example:443,[::1]:8443");
    expect(isAllowlisted(list, "127.0.0.1", 4010)).toBe(true);
    expect(isAllowlisted(list, "127.0.0.1", 4011)).toBe(false);
    expect(isAllowlisted(list, "sim.internal", 1)).toBe(true);
    expect(isAllowlisted(list, "api.corp.example", 443)).toBe(true);
    expect(isAllowlisted(list, "corp.example", 443)).toBe(false);
    expect(isAllowlisted(list, "api.corp.example", 80)).toBe(false);
    expect(isAllowlisted(list, "::1", 8443)).toBe(true);
    expect(isAllowlisted(list, "[::1]", 8443)).toBe(true);
  });

  it.each(["http://127.0.0.1", "127.0.0.1:99999", "*.com", "*.10.0.0.1", "bad_host!", "a:b:c"])("refuses the entry %s", (entry) => {
    expect(() => parseEgressAllowlist(entry)).toThrow(/PARAPET_ENDPOINT_ALLOWLIST/);
  });
});

describe("checkEndpointUrl", () => {
  const refused = (cloud: "aws" | "azure" | "gcp" | "oci", url: unknown, list = EMPTY_ALLOWLIST) => {
    const r = checkEndpointUrl(cloud, "api", url, list);
    return r.ok ? undefined : r.reason;
  };

  it("accepts the clouds' own hosts on https, normalised to the origin", () => {
    expect(checkEndpointUrl("aws", "api", "https://organizations.us-gov-west-1.amazonaws.com/", EMPTY_ALLOWLIST)).toEqual({
      ok: true,
      url: "https://organizations.us-gov-west-1.amazonaws.com",
    });
    expect(checkEndpointUrl("gcp", "api", "https://RESTRICTED.googleapis.com", EMPTY_ALLOWLIST)).toEqual({
      ok: true,
      url: "https://restricted.googleapis.com",
    });
  });

  it.each([
    "http://127.0.0.1:4010",
    "http://localhost:4010",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://[::1]:4010",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data",
    "http://[fd00:ec2::254]/",
    "http://metadata.google.internal/",
    "http://10.0.0.5",
    "http://100.64.0.1",
    "http://[fe80::1]",
    "http://0.0.0.0:4010",
    "https://evil.example",
  ])("refuses %s without the allowlist", (url) => {
    expect(refused("gcp", url)).toMatch(/own API endpoints|PARAPET_ENDPOINT_ALLOWLIST|scheme and host/);
  });

  it("refuses paths, credentials, other schemes, plain http and other ports on cloud hosts", () => {
    expect(refused("aws", "https://organizations.us-east-1.amazonaws.com/v1/attack")).toMatch(/no user, path/);
    expect(refused("aws", "https://u:p@organizations.us-east-1.amazonaws.com")).toMatch(/no user, path/);
    expect(refused("aws", "file:///etc/passwd")).toMatch(/https URL/);
    expect(refused("aws", "http://organizations.us-east-1.amazonaws.com")).toMatch(/https on port 443/);
    expect(refused("aws", "https://organizations.us-east-1.amazonaws.com:8443")).toMatch(/https on port 443/);
    expect(refused("aws", 42)).toMatch(/https URL/);
  });

  it("lets an allowlisted host use http and its port", () => {
    const list = parseEgressAllowlist("127.0.0.1:4010");
    expect(checkEndpointUrl("oci", "api", "http://127.0.0.1:4010", list)).toEqual({ ok: true, url: "http://127.0.0.1:4010" });
    expect(refused("oci", "http://127.0.0.1:4011", list)).toMatch(/PARAPET_ENDPOINT_ALLOWLIST/);
  });

  it("checks Azure authorities against Microsoft's sign-in hosts", () => {
    expect(checkEndpointUrl("azure", "authority", "https://login.microsoftonline.us", EMPTY_ALLOWLIST)).toEqual({
      ok: true,
      url: "https://login.microsoftonline.us",
    });
    const r = checkEndpointUrl("azure", "authority", "https://login.sovereign.example", EMPTY_ALLOWLIST);
    expect(r.ok ? "" : r.reason).toMatch(/sign-in authorities/);
  });
});

describe("publicMessage", () => {
  it("never repeats the cloud's own text and is the same for every network failure", () => {
    const body = new Error('{"error":{"message":"internal admin console: root password is hunter2"}}');
    const invalid = new ProviderError(
      "invalid",
      `was refused as invalid: ${body.message}`,
      false,
      "orgpolicy.GetPolicy",
      "INVALID_ARGUMENT",
      body,
    );
    expect(publicMessage(invalid)).toBe("orgpolicy.GetPolicy: the cloud refused the request as invalid (INVALID_ARGUMENT)");
    const refused = new ProviderError(
      "unavailable",
      "connect ECONNREFUSED 127.0.0.1:6379",
      true,
      "GetTenancy",
      "ECONNREFUSED",
      Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    );
    const timeout = new ProviderError(
      "unavailable",
      "timeout after 5000ms to 10.0.0.1:22",
      true,
      "GetTenancy",
      "ETIMEDOUT",
      Object.assign(new Error("y"), { code: "ETIMEDOUT" }),
    );
    expect(publicMessage(refused)).toBe(publicMessage(timeout));
    expect(
      publicMessage(new ProviderError("invalid", "x", false, "ListRoots", "x", new EgressRefusedError("127.0.0.1", "loopback"))),
    ).toMatch(/not an allowed cloud API host/);
    expect(publicMessage(new Error("raw socket text"))).not.toContain("raw socket text");
  });

  it("keeps Parapet's own messages and only identifier-shaped codes", () => {
    expect(publicMessage(new ProviderError("invalid", "The organization has no root.", false, "ListRoots", "NO_ROOT"))).toBe(
      "The organization has no root.",
    );
    const weird = new ProviderError("invalid", "x", false, "DescribePolicy", "<script>alert(1)</script>", new Error("x"));
    expect(publicMessage(weird)).toBe("DescribePolicy: the cloud refused the request as invalid");
  });
});

import { describe, expect, it } from "vitest";
import { isProviderError } from "../contract/errors.ts";
import { AzureClientCredential, credentialIdentity, jwtClaims, staticTokenCredential, ZAzureCredentials } from "./credentials.ts";

const TENANT = "4c7d2e1a-9b3f-4a6c-8e2d-5f1b3a7c9e60";
const CLIENT = "5e0c7a52-3b1f-4d8e-a6c9-0f2b4d6e8a13";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.sig`;

describe("ZAzureCredentials", () => {
  it("accepts the three kinds Parapet stores", () => {
    expect(ZAzureCredentials.safeParse({ kind: "client-secret", tenantId: TENANT, clientId: CLIENT, clientSecret: "s" }).success).toBe(
      true,
    );
    expect(
      ZAzureCredentials.safeParse({ kind: "federated", tenantId: TENANT, clientId: CLIENT, federatedToken: jwt({ sub: "x" }) }).success,
    ).toBe(true);
    expect(ZAzureCredentials.safeParse({ kind: "access-token", accessToken: "abc" }).success).toBe(true);
  });

  it("names the field and what it expects", () => {
    const r = ZAzureCredentials.safeParse({ kind: "client-secret", tenantId: "contoso", clientId: CLIENT, clientSecret: "s" });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues[0]!.path).toEqual(["tenantId"]);
      expect(r.error.issues[0]!.message).toContain("GUID");
    }
    const long = ZAzureCredentials.safeParse({ kind: "client-secret", tenantId: TENANT, clientId: CLIENT, clientSecret: "x".repeat(1025) });
    expect(long.success).toBe(false);
    const notJwt = ZAzureCredentials.safeParse({ kind: "federated", tenantId: TENANT, clientId: CLIENT, federatedToken: "not a jwt" });
    expect(!notJwt.success && notJwt.error.issues[0]!.message).toContain("JWT");
    const kind = ZAzureCredentials.safeParse({ kind: "password" });
    expect(!kind.success && kind.error.issues[0]!.message).toContain("client-secret, federated, access-token");
  });
});

describe("identity and static tokens", () => {
  it("names the app behind a credential", () => {
    expect(credentialIdentity({ kind: "client-secret", tenantId: TENANT, clientId: CLIENT, clientSecret: "s" })).toBe(CLIENT);
    expect(credentialIdentity({ kind: "access-token", accessToken: jwt({ appid: "app-1" }) })).toBe("app-1");
    expect(credentialIdentity({ kind: "access-token", accessToken: "opaque" })).toBe("bearer token");
    expect(jwtClaims("a.b")).toBeUndefined();
  });

  it("a static token past its exp is refused with an auth error, not sent", async () => {
    const expired = staticTokenCredential(jwt({ exp: 1_000 }));
    const err = await expired.getToken("https://management.azure.com/.default").then(
      () => null,
      (e: unknown) => e,
    );
    expect(isProviderError(err) && err.kind).toBe("auth");
    const fresh = await staticTokenCredential(jwt({ exp: 4_102_444_800 })).getToken("s");
    expect(fresh?.expiresOnTimestamp).toBe(4_102_444_800_000);
  });

  it("a client credential needs exactly one of a secret and an assertion", () => {
    expect(() => new AzureClientCredential({ tenantId: TENANT, clientId: CLIENT })).toThrow(/exactly one/);
    expect(() => new AzureClientCredential({ tenantId: TENANT, clientId: CLIENT, clientSecret: "s", assertion: async () => "a" })).toThrow(
      /exactly one/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { createGcpAdapter } from "./adapter.ts";
import { ZGcpCredentials } from "./credentials.ts";
import { classifyGcpError, GcpHttpError, gcpStatus, isGcpThrottle } from "./errors.ts";
import { gcpBootstrapRoles, minimumPermissions } from "./permissions.ts";

const googleBody = (code: number, status: string, message: string) => JSON.stringify({ error: { code, message, status } });

describe("classifyGcpError", () => {
  it("classifies REST replies by the Google status in the body", () => {
    const cases: Array<[GcpHttpError, string, boolean, string]> = [
      [
        new GcpHttpError(429, googleBody(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'orgpolicy.read'")),
        "throttled",
        true,
        "RESOURCE_EXHAUSTED",
      ],
      [new GcpHttpError(409, googleBody(409, "ALREADY_EXISTS", "exists")), "conflict", true, "ALREADY_EXISTS"],
      [new GcpHttpError(409, googleBody(409, "ABORTED", "etag mismatch")), "conflict", true, "ABORTED"],
      [new GcpHttpError(404, googleBody(404, "NOT_FOUND", "nope")), "not_found", false, "NOT_FOUND"],
      [new GcpHttpError(401, googleBody(401, "UNAUTHENTICATED", "bad token")), "auth", false, "UNAUTHENTICATED"],
      [
        new GcpHttpError(400, googleBody(400, "INVALID_ARGUMENT", "custom_constraint.condition is required.")),
        "invalid",
        false,
        "INVALID_ARGUMENT",
      ],
      [
        new GcpHttpError(
          400,
          googleBody(
            400,
            "FAILED_PRECONDITION",
            "The organization already has 20 custom constraints for resource type x; the limit is 20.",
          ),
        ),
        "limit",
        false,
        "FAILED_PRECONDITION",
      ],
      [new GcpHttpError(503, ""), "unavailable", true, "UNAVAILABLE"],
    ];
    for (const [err, kind, retryable, code] of cases) {
      expect(classifyGcpError(err, "orgpolicy.X")).toMatchObject({ kind, retryable, code, operation: "orgpolicy.X" });
    }
  });

  it("names the missing permission of a 403", () => {
    const e = new GcpHttpError(
      403,
      googleBody(
        403,
        "PERMISSION_DENIED",
        "Permission 'orgpolicy.policies.update' denied on resource '//cloudresourcemanager.googleapis.com/folders/1' (or it may not exist).",
      ),
    );
    const pe = classifyGcpError(e, "orgpolicy.UpdatePolicy");
    expect(pe.kind).toBe("auth");
    expect(pe.message).toContain("orgpolicy.policies.update");
    expect(pe.cause).toBe(e);
  });

  it("reads google-gax 4 errors by gRPC code and google-gax 5 errors by HTTP status", () => {
    // The shapes the two SDK generations throw (see ../../cloud-sim/src/gcp/README.md).
    expect(classifyGcpError(Object.assign(new Error("Policy x already exists."), { code: 10 }), "op")).toMatchObject({
      kind: "conflict",
      code: "ABORTED",
    });
    expect(classifyGcpError(Object.assign(new Error("Quota exceeded"), { code: 8 }), "op")).toMatchObject({
      kind: "throttled",
      retryable: true,
    });
    expect(classifyGcpError(Object.assign(new Error("gone"), { code: 5 }), "op")).toMatchObject({ kind: "not_found" });
    const gaxios = Object.assign(new Error(googleBody(429, "RESOURCE_EXHAUSTED", "Quota exceeded")), { status: 429 });
    expect(isGcpThrottle(gaxios)).toBe(true);
    expect(gcpStatus(Object.assign(new Error(googleBody(409, "ALREADY_EXISTS", "x")), { status: 409 }))).toBe("ALREADY_EXISTS");
  });

  it("treats network failures as unavailable and retryable", () => {
    const e = new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
    expect(classifyGcpError(e, "crm.SearchProjects")).toMatchObject({ kind: "unavailable", retryable: true });
  });
});

describe("ZGcpCredentials", () => {
  it("rejects a key file without a PEM key, naming the field", () => {
    const r = ZGcpCredentials.safeParse({
      type: "service_account_key",
      key: { client_email: "a@b.iam.gserviceaccount.com", private_key: "x" },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain("key.private_key");
  });

  it("accepts an access token with an optional expiry", () => {
    expect(ZGcpCredentials.parse({ type: "access_token", accessToken: "ya29.token-value" })).toEqual({
      type: "access_token",
      accessToken: "ya29.token-value",
    });
  });
});

describe("createGcpAdapter", () => {
  it("refuses unusable settings with a message naming the field, before any call", () => {
    const make = (organizationId: string, endpoint?: string) => () =>
      createGcpAdapter({
        workspaceId: "ws",
        credentials: { type: "access_token", accessToken: "ya29.token-value" },
        facts: { organizationId },
        ...(endpoint ? { endpoint } : {}),
      });
    expect(make("org-1")).toThrow(/facts\.organizationId/);
    expect(make("123", "ftp://example.com")).toThrow(/endpoint/);
  });
});

describe("minimumPermissions", () => {
  it("lists each permission once and covers reads with viewer roles only", () => {
    const names = minimumPermissions.map((p) => p.permission);
    expect(new Set(names).size).toBe(names.length);
    expect(gcpBootstrapRoles(true).every((r) => !/admin/i.test(r))).toBe(true);
    expect(gcpBootstrapRoles()).toContain("roles/orgpolicy.policyAdmin");
  });
});

import * as common from "oci-common";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../contract/errors.ts";
import { classifyOciError, isOciThrottle } from "./errors.ts";

const oci = (status: number, code: string, message = "m"): common.OciError =>
  new common.OciError(status, code, message, "rid", "Identity", "op", new Date(0).toISOString(), "GET /x", "");

describe("classifyOciError", () => {
  it.each([
    [429, "TooManyRequests", "throttled", true],
    [401, "NotAuthenticated", "auth", false],
    [404, "NotAuthorizedOrNotFound", "not_found", false],
    [412, "NoEtagMatch", "conflict", true],
    [409, "IncorrectState", "conflict", true],
    [409, "PolicyAlreadyExists", "conflict", false],
    [400, "LimitExceeded", "limit", false],
    [400, "InvalidParameter", "invalid", false],
    [400, "MissingParameter", "invalid", false],
    [500, "InternalServerError", "unavailable", true],
    [503, "ServiceUnavailable", "unavailable", true],
  ] as const)("%i %s → %s (retryable %s)", (status, code, kind, retryable) => {
    const e = classifyOciError(oci(status, code), "CreatePolicy");
    expect(e).toBeInstanceOf(ProviderError);
    expect([e.kind, e.retryable, e.code, e.operation]).toEqual([kind, retryable, code, "CreatePolicy"]);
  });

  it("keeps the raw SDK error as the cause and out of the 401 message", () => {
    const raw = oci(401, "NotAuthenticated", "signature mismatch for key abc");
    const e = classifyOciError(raw, "GetTenancy");
    expect(e.cause).toBe(raw);
    expect(e.message).toMatch(/fingerprint/);
    expect(e.message).not.toContain("abc");
  });

  it("treats the SDK's record of a transport failure as unavailable", () => {
    const e = classifyOciError(
      { code: "ECONNREFUSED", message: "fetch failed", requestEndpoint: "GET http://127.0.0.1:1/x" },
      "ListPolicies",
    );
    expect([e.kind, e.retryable, e.code]).toEqual(["unavailable", true, "NetworkError"]);
  });

  it("does not retry programming errors", () => {
    const e = classifyOciError(new TypeError("x is undefined"), "ListPolicies");
    expect([e.kind, e.retryable]).toEqual(["invalid", false]);
  });

  it("passes ProviderErrors through unchanged", () => {
    const p = new ProviderError("invalid", "no", false, "op", "NOT_OWNED");
    expect(classifyOciError(p, "other")).toBe(p);
  });

  it("recognises throttles", () => {
    expect(isOciThrottle(oci(429, "TooManyRequests"))).toBe(true);
    expect(isOciThrottle(oci(500, "InternalServerError"))).toBe(false);
    expect(isOciThrottle(new Error("x"))).toBe(false);
  });
});

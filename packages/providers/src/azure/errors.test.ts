import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../contract/errors.ts";
import { classifyAzureError, deniedAction, isAzureThrottle, retryAfterMs } from "./errors.ts";

/** A RestError as core-client raises it for an ARM error reply. */
function armError(statusCode: number | undefined, code: string, message: string, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: "https://management.azure.com/x" });
  return new RestError(message, {
    code,
    ...(statusCode !== undefined
      ? {
          statusCode,
          response: {
            request,
            status: statusCode,
            headers: createHttpHeaders(headers),
            bodyAsText: JSON.stringify({ error: { code, message } }),
          },
        }
      : {}),
  });
}

describe("classifyAzureError", () => {
  it("429 is throttled and retryable, with ARM's Retry-After", () => {
    const e = armError(429, "TenantRequestsThrottled", "Number of 'read' requests exceeded.", { "retry-after": "7" });
    const pe = classifyAzureError(e, "PolicyAssignments_Get");
    expect(pe).toMatchObject({ kind: "throttled", retryable: true, code: "TenantRequestsThrottled", operation: "PolicyAssignments_Get" });
    expect(isAzureThrottle(e)).toBe(true);
    expect(isAzureThrottle(pe)).toBe(true);
    expect(retryAfterMs(pe)).toBe(7000);
    expect(
      retryAfterMs(
        armError(429, "x", "y", { "retry-after": new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString() }),
        Date.UTC(2030, 0, 1),
      ),
    ).toBe(10_000);
    expect(retryAfterMs(armError(500, "x", "y"))).toBeUndefined();
  });

  it("403 names the missing action and scope from ARM's message, in words people can act on", () => {
    const msg =
      "The client '9b3d' with object id 'abc' does not have authorization to perform action 'Microsoft.Authorization/policyDefinitions/write' over scope '/providers/Microsoft.Management/managementGroups/root/providers/Microsoft.Authorization/policyDefinitions/x' or the scope is invalid.";
    expect(deniedAction(msg)).toEqual({
      action: "Microsoft.Authorization/policyDefinitions/write",
      scope: "/providers/Microsoft.Management/managementGroups/root/providers/Microsoft.Authorization/policyDefinitions/x",
    });
    const pe = classifyAzureError(armError(403, "AuthorizationFailed", msg), "PolicyDefinitions_CreateOrUpdateAtManagementGroup");
    expect(pe).toMatchObject({ kind: "auth", retryable: false, code: "AuthorizationFailed" });
    expect(pe.message).toContain("lacks 'Microsoft.Authorization/policyDefinitions/write'");
  });

  it("maps the rest of ARM's answers", () => {
    const kinds = (status: number | undefined, code: string, message = "m") => {
      const pe = classifyAzureError(armError(status, code, message), "op");
      return [pe.kind, pe.retryable];
    };
    expect(kinds(401, "ExpiredAuthenticationToken")).toEqual(["auth", false]);
    expect(kinds(404, "PolicyDefinitionNotFound")).toEqual(["not_found", false]);
    expect(kinds(409, "AnotherOperationInProgress")).toEqual(["conflict", true]);
    expect(kinds(409, "SomethingPermanent")).toEqual(["conflict", false]);
    expect(kinds(400, "InvalidDeletePolicyDefinitionRequest")).toEqual(["conflict", false]);
    expect(kinds(400, "PolicyAssignmentQuotaExceeded")).toEqual(["limit", false]);
    expect(
      kinds(
        400,
        "InvalidCreatePolicyAssignmentRequest",
        "The policy assignment 'x' has 401 not scopes, which exceeds the maximum of 400 not scopes.",
      ),
    ).toEqual(["limit", false]);
    expect(kinds(413, "RequestContentTooLarge")).toEqual(["limit", false]);
    expect(kinds(400, "InvalidPolicyRule")).toEqual(["invalid", false]);
    expect(kinds(503, "ServiceUnavailable")).toEqual(["unavailable", true]);
    expect(kinds(undefined, "ECONNREFUSED")).toEqual(["unavailable", true]);
  });

  it("passes ProviderErrors through and keeps unknown failures out of the retry loop", () => {
    const own = new ProviderError("auth", "token", false, "GetToken", "AADSTS7000215");
    expect(classifyAzureError(own, "x")).toBe(own);
    expect(classifyAzureError(new TypeError("bad input"), "op")).toMatchObject({ kind: "invalid", retryable: false, code: "ClientError" });
  });
});

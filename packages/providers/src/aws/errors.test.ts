import {
  AccessDeniedException,
  ConcurrentModificationException,
  ConstraintViolationException,
  DuplicatePolicyAttachmentException,
  DuplicatePolicyException,
  MalformedPolicyDocumentException,
  PolicyChangesInProgressException,
  PolicyNotAttachedException,
  PolicyNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { ExpiredTokenException } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../contract/errors.ts";
import { classifyAwsError, isAwsThrottle } from "./errors.ts";

// The SDK's own exception classes, built the way its deserialisers build them.
const meta = (status: number) => ({ $metadata: { httpStatusCode: status } });

describe("classifyAwsError", () => {
  it.each([
    [new TooManyRequestsException({ message: "Rate exceeded", ...meta(400) }), "throttled", true],
    [new ConcurrentModificationException({ message: "busy", ...meta(400) }), "conflict", true],
    [new PolicyChangesInProgressException({ message: "busy", ...meta(400) }), "conflict", true],
    [new DuplicatePolicyException({ message: "dup", ...meta(400) }), "conflict", false],
    [new DuplicatePolicyAttachmentException({ message: "dup", ...meta(400) }), "conflict", false],
    [new PolicyNotAttachedException({ message: "no", ...meta(400) }), "conflict", false],
    [new AccessDeniedException({ message: "denied", ...meta(400) }), "auth", false],
    [new ExpiredTokenException({ message: "expired", ...meta(400) }), "auth", true],
    [new PolicyNotFoundException({ message: "gone", ...meta(400) }), "not_found", false],
    [
      new ConstraintViolationException({ message: "too many", Reason: "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", ...meta(400) }),
      "limit",
      false,
    ],
    [new MalformedPolicyDocumentException({ message: "bad", ...meta(400) }), "invalid", false],
    [new ServiceException({ message: "internal", ...meta(500) }), "unavailable", true],
  ] as const)("%s → %s (retryable %s)", (err, kind, retryable) => {
    const pe = classifyAwsError(err, "AttachPolicy");
    expect(pe).toBeInstanceOf(ProviderError);
    expect(pe.kind).toBe(kind);
    expect(pe.retryable).toBe(retryable);
    expect(pe.operation).toBe("AttachPolicy");
    expect(pe.cause).toBe(err);
    // Raw SDK text stays in `cause`; the message is Parapet's own.
    expect(pe.message).not.toBe((err as Error).message);
  });

  it("keeps the constraint reason in the code so callers can tell limits apart", () => {
    const pe = classifyAwsError(
      new ConstraintViolationException({ message: "x", Reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", ...meta(400) }),
      "DetachPolicy",
    );
    expect(pe.code).toBe("ConstraintViolationException:MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
    expect(pe.message).toContain("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
  });

  it("treats network failures and 5xx answers as unavailable and retryable", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(classifyAwsError(reset, "ListRoots")).toMatchObject({ kind: "unavailable", retryable: true });
    const gateway = Object.assign(new Error("Bad Gateway"), { name: "Unknown", $fault: "server", ...meta(502) });
    expect(classifyAwsError(gateway, "ListRoots")).toMatchObject({ kind: "unavailable", retryable: true });
    const timeout = Object.assign(new Error("timed out"), { name: "TimeoutError" });
    expect(classifyAwsError(timeout, "ListRoots")).toMatchObject({ kind: "unavailable", retryable: true });
  });

  it("classifies STS's throttle and a denied AssumeRole", () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling", ...meta(400) });
    expect(isAwsThrottle(throttled)).toBe(true);
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDenied", ...meta(403) });
    const pe = classifyAwsError(denied, "sts:AssumeRole");
    expect(pe).toMatchObject({ kind: "auth", retryable: false });
    expect(pe.message).toMatch(/external id/);
  });

  it("passes ProviderErrors through untouched", () => {
    const pe = new ProviderError("invalid", "x", false, "UpdatePolicy", "NOT_OWNED");
    expect(classifyAwsError(pe, "other")).toBe(pe);
  });

  it("leaves unknown client errors non-retryable", () => {
    const odd = Object.assign(new Error("?"), { name: "SomethingNewException", $fault: "client", ...meta(400) });
    expect(classifyAwsError(odd, "ListRoots")).toMatchObject({ kind: "invalid", retryable: false });
  });
});

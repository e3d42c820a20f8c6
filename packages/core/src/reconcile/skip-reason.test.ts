import { describe, expect, it } from "vitest";
import { connectionSkip, retryAfterSkip, skipReasonText, type SkipReason } from "./skip-reason.ts";

describe("skip reasons", () => {
  it("maps a connection row to why it cannot be reconciled", () => {
    expect(connectionSkip(null)).toEqual({ kind: "connection-not-found" });
    expect(connectionSkip({ status: "disabled", credentialCiphertext: "sealed" })).toEqual({
      kind: "connection-inactive",
      status: "disabled",
    });
    expect(connectionSkip({ status: "draft", credentialCiphertext: null })).toEqual({ kind: "connection-inactive", status: "draft" });
    expect(connectionSkip({ status: "active", credentialCiphertext: null })).toEqual({ kind: "no-credentials", status: "active" });
    expect(connectionSkip({ status: "error", credentialCiphertext: "sealed" })).toBeNull();
    expect(connectionSkip({ status: "active", credentialCiphertext: "sealed" })).toBeNull();
  });

  it("says in words why a reconcile did not run", () => {
    const texts = (["connection-not-found", "lease-held"] as const).map((kind) => skipReasonText({ kind }));
    expect(texts).toEqual(["connection not found", "another worker holds the lease"]);
    expect(skipReasonText({ kind: "connection-inactive", status: "disabled" })).toBe("connection is disabled");
    expect(skipReasonText({ kind: "no-credentials", status: "active" })).toBe("connection has no stored credentials (status active)");
  });

  it("retries only a held lease, whatever the texts say", () => {
    const all: SkipReason[] = [
      { kind: "connection-not-found" },
      { kind: "connection-inactive", status: "draft" },
      { kind: "no-credentials", status: "active" },
      { kind: "lease-held" },
    ];
    expect(all.filter(retryAfterSkip).map((r) => r.kind)).toEqual(["lease-held"]);
  });
});

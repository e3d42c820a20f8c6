import { describe, expect, it } from "vitest";
import { providerError } from "@parapet/providers/contract";
import { AppError } from "../../common/errors.ts";
import { runFailureMessage, skipped } from "./run.ts";

describe("run outcome texts", () => {
  it("a failed run reads the provider's classified kind, Parapet's own refusal verbatim, and nothing raw otherwise", () => {
    // Raised by Parapet itself (no cloud answer behind it): its text is already written for people.
    expect(runFailureMessage(providerError("limit", "CreatePolicy", "Target ou-1 has no free SCP slot"))).toBe(
      "limit: Target ou-1 has no free SCP slot",
    );
    expect(runFailureMessage(new AppError("conflict", 'This AWS organization (r-1) is already managed by the connection "a"'))).toBe(
      'This AWS organization (r-1) is already managed by the connection "a"',
    );
    const raw = runFailureMessage(new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2"));
    expect(raw).toBe("an unexpected error occurred (details are in the worker log)");
  });

  it("a skipped run carries the typed reason and its text, and nothing done", () => {
    expect(skipped("c1", { kind: "lease-held" })).toEqual({
      connectionId: "c1",
      status: "skipped",
      skip: { kind: "lease-held" },
      skippedReason: "another worker holds the lease",
      problems: [],
      applied: 0,
      failed: 0,
      driftOpened: 0,
      driftResolved: 0,
      calls: { reads: 0, writes: 0, throttled: 0, errors: 0, byOperation: {} },
    });
  });
});

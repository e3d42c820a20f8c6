import { describe, expect, it } from "vitest";
import { PROBE_POLICY_ID } from "./adapter.ts";

describe("AWS verify probe policy id", () => {
  it("has the form AWS documents and the form AWS mints (which emulators enforce)", () => {
    // Organizations API reference, DescribePolicy/UpdatePolicy PolicyId pattern.
    expect(PROBE_POLICY_ID).toMatch(/^p-[0-9a-zA-Z_]{8,128}$/);
    // Ids AWS hands out (and moto's POLICY_ID_REGEX): p- plus exactly 8 lowercase letters or digits.
    expect(PROBE_POLICY_ID).toMatch(/^p-[a-z0-9]{8}$/);
  });
});

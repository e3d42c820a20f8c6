/**
 * Every permission a control compiles into a GCP deny rule must be one IAM v2 accepts in deny policies;
 * the simulator holds Google's list (deny-permissions-support) and refuses the rest with 400, as IAM does.
 */
import { describe, expect, it } from "vitest";
import { denySupported } from "@parapet/cloud-sim/gcp/deny-permissions";
import { listControls } from "./catalog.ts";
import { exampleArtifacts } from "./golden.ts";
import type { TGcpFragment } from "./types.ts";

describe("GCP deny permissions", () => {
  for (const control of listControls()) {
    it(`${control.id}: every compiled deny permission is supported in deny policies`, () => {
      for (const mode of ["enforce", "audit"] as const) {
        const { fragment } = exampleArtifacts(control, "gcp", {}, mode) as { fragment: TGcpFragment };
        const perms = fragment.denyRules.flatMap((r) => [...r.denyRule.deniedPermissions, ...(r.denyRule.exceptionPermissions ?? [])]);
        expect(perms.filter((p) => !denySupported(p))).toEqual([]);
      }
    });
  }
});

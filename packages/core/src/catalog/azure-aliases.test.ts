/**
 * Every field a control's Azure policies name must be an alias ARM knows (or a built-in field such as
 * type, location, tags): the simulator holds the vendored alias list and refuses the rest with
 * InvalidPolicyAlias, as ARM does.
 */
import { describe, expect, it } from "vitest";
import { knownAlias } from "@parapet/cloud-sim/azure/aliases";
import { listControls } from "./catalog.ts";
import { exampleArtifacts } from "./golden.ts";
import type { TAzureFragment } from "./types.ts";

function fields(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) fields(x, out);
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k === "field" && typeof x === "string") out.push(x);
      else fields(x, out);
    }
  }
  return out;
}

describe("Azure policy aliases", () => {
  for (const control of listControls()) {
    it(`${control.id}: every compiled field is a known alias or built-in field`, () => {
      const { fragment } = exampleArtifacts(control, "azure") as { fragment: TAzureFragment };
      const named = fragment.policies.flatMap((p) => fields(p.definition.properties.policyRule));
      expect(named.filter((f) => !f.startsWith("[") && !knownAlias(f))).toEqual([]);
    });
  }
});

import { describe, expect, it } from "vitest";
import { listControls } from "./catalog.ts";

describe("sources", () => {
  for (const control of listControls()) {
    it.each(["azure", "gcp"] as const)(`${control.id} × %s cites the cloud behaviour it relies on`, (cloud) => {
      const sources = control.clouds[cloud].sources ?? [];
      expect(sources.length).toBeGreaterThan(0);
      for (const s of sources) expect(s).toMatch(/^.{8,} — https:\/\/\S+$/);
    });
  }
});

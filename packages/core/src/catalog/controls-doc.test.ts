import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listControls } from "./catalog.ts";
import { renderControlsDoc } from "./controls-doc.ts";

const DOC = join(dirname(fileURLToPath(import.meta.url)), "../../../../docs/controls.md");

describe("docs/controls.md", () => {
  it("is what the catalog generates (run `pnpm controls:doc` after changing a control)", () => {
    expect(readFileSync(DOC, "utf8"), "docs/controls.md is stale: run `pnpm controls:doc`").toBe(renderControlsDoc());
  });

  it("lists every control and cloud with its fidelity, gap and sources", () => {
    const doc = renderControlsDoc();
    for (const c of listControls()) {
      expect(doc).toContain(`## \`${c.id}\``);
      for (const cloud of ["aws", "azure", "gcp", "oci"] as const) {
        const cc = c.clouds[cloud];
        if (cc.gap) expect(doc).toContain(cc.gap.replace(/\|/g, "\\|"));
        for (const s of cc.sources ?? []) expect(doc).toContain(s.slice(s.lastIndexOf(" — ") + 3));
      }
    }
  });

  it("renders a source without a URL verbatim and escapes table pipes", () => {
    const [first] = listControls();
    const doc = renderControlsDoc([
      { ...first!, clouds: { ...first!.clouds, aws: { ...first!.clouds.aws, gap: "a | b", sources: ["a note without a link"] } } },
    ]);
    expect(doc).toContain("a \\| b");
    expect(doc).toContain("- a note without a link");
  });
});

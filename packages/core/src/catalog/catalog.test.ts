import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stableStringify } from "./canonical.ts";
import { CONTROL_IDS, getControl, listControls } from "./catalog.ts";
import { compileControl } from "./compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "./fixtures.ts";
import { exampleArtifacts } from "./golden.ts";
import { runScenarios } from "./scenarios.ts";
import { CLOUDS, scenariosOf } from "./types.ts";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "__golden__");

const EXPECTED_IDS = [
  "agent-no-destructive-actions",
  "backups-undeletable",
  "audit-logging-locked",
  "no-public-data",
  "regulated-data-perimeter",
  "nonprod-no-prod-secrets",
  "no-wildcard-admin",
  "restrict-regions",
  "require-encryption",
  "protect-guardrail-labels",
  "mcp-servers-read-only",
  "deny-leave-organization",
  "deny-root-user",
];

describe("catalog", () => {
  it("holds every control of CONTROLS.md, once, with kebab-case ids", () => {
    expect([...CONTROL_IDS]).toEqual(EXPECTED_IDS);
    for (const id of CONTROL_IDS) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(getControl("no-such-control")).toBeUndefined();
    expect(getControl("deny-root-user")?.title).toContain("root");
  });

  it.each(EXPECTED_IDS)("%s: safe defaults parse, every cloud has a fidelity and a gap when not enforced", (id) => {
    const c = getControl(id)!;
    expect(() => c.params.parse({})).not.toThrow();
    expect(c.rationale.length).toBeGreaterThan(80);
    expect(c.frameworks.some((f) => f.framework === "NIST 800-53 r5")).toBe(true);
    for (const cloud of CLOUDS) {
      const cc = c.clouds[cloud];
      if (cc.fidelity === "enforced") expect(cc.gap).toBeUndefined();
      else expect(cc.gap?.length ?? 0).toBeGreaterThan(30);
    }
    for (const cloud of CLOUDS) expect(scenariosOf(c, c.params.parse({})).some((s) => s.cloud === cloud)).toBe(true);
  });
});

describe("golden artifacts (UPDATE_GOLDEN=1 rewrites them)", () => {
  const update = process.env.UPDATE_GOLDEN === "1";
  for (const control of listControls()) {
    for (const cloud of CLOUDS) {
      it(`${control.id} × ${cloud}`, () => {
        const file = join(GOLDEN_DIR, `${control.id}.${cloud}.json`);
        const text = `${stableStringify(exampleArtifacts(control, cloud), 2)}\n`;
        if (update || !existsSync(file)) {
          if (!update) throw new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1`);
          mkdirSync(GOLDEN_DIR, { recursive: true });
          writeFileSync(file, text);
        }
        expect(text).toBe(readFileSync(file, "utf8"));
      });
    }
  }
});

describe("determinism", () => {
  it("compiling the whole catalog twice yields byte-identical output, in both modes", () => {
    for (const mode of ["enforce", "audit"] as const) {
      const once = listControls().map((c) => CLOUDS.map((cloud) => stableStringify(exampleArtifacts(c, cloud, {}, mode))).join("\n"));
      const twice = listControls().map((c) => CLOUDS.map((cloud) => stableStringify(exampleArtifacts(c, cloud, {}, mode))).join("\n"));
      expect(twice).toEqual(once);
    }
  });

  it("parameter list order does not change the artifacts", () => {
    const c = getControl("restrict-regions")!;
    const a = stableStringify(exampleArtifacts(c, "aws", { aws: ["us-east-1", "eu-west-1"] }));
    const b = stableStringify(exampleArtifacts(c, "aws", { aws: ["eu-west-1", "us-east-1", "eu-west-1"] }));
    expect(a).toBe(b);
  });

  it("audit mode keeps artifacts but marks them not attachable or not enforced", () => {
    const c = getControl("agent-no-destructive-actions")!;
    const compile = (cloud: (typeof CLOUDS)[number]) =>
      compileControl(c, {
        cloud,
        mode: "audit",
        workspaceId: SCENARIO_WORKSPACE_ID,
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals: SCENARIO_PRINCIPALS[cloud],
        facts: SCENARIO_FACTS[cloud],
      }).fragment;
    const aws = compile("aws");
    const azure = compile("azure");
    const gcp = compile("gcp");
    const oci = compile("oci");
    expect(aws.cloud === "aws" && !aws.attach && aws.statements.length > 0).toBe(true);
    expect(azure.cloud === "azure" && azure.enforcementMode).toBe("DoNotEnforce");
    expect(gcp.cloud === "gcp" && !gcp.attachDenyRules && gcp.denyRules.length > 0).toBe(true);
    expect(oci.cloud === "oci" && !oci.attach).toBe(true);
    // A custom constraint takes a dry-run policy; a legacy one (gcp.resourceLocations) does not, so its
    // audit mode compiles without attaching (@parapet/providers gcp/dry-run.ts).
    const custom = exampleArtifacts(getControl("no-wildcard-admin")!, "gcp", {}, "audit") as {
      artifacts: { policies: { spec?: unknown; dryRunSpec?: unknown }[] };
    };
    expect(custom.artifacts.policies[0]?.spec).toBeUndefined();
    expect(custom.artifacts.policies[0]?.dryRunSpec).toBeDefined();
    const legacy = exampleArtifacts(getControl("restrict-regions")!, "gcp", {}, "audit") as { artifacts: { policies: unknown[] } };
    expect(legacy.artifacts.policies).toEqual([]);
  });
});

describe("scenarios", () => {
  it.each(EXPECTED_IDS)("%s: every scenario passes with default params", async (id) => {
    const results = await runScenarios(getControl(id)!, {});
    const failed = results.filter((r) => !r.passed);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(5);
  });

  it("a scenario fails, with a reason, when the principals no longer match", async () => {
    // Agents defined by a different tag: the scenario's tagged agent is no longer denied.
    const results = await runScenarios(
      getControl("agent-no-destructive-actions")!,
      {},
      { aws: { agents: { tag: { key: "ai", value: "yes" } } } },
    );
    const denied = results.find((r) => r.name === "an agent deleting a production object is denied");
    expect(denied?.passed).toBe(true);
    const results2 = await runScenarios(getControl("mcp-servers-read-only")!, { awsReadableServices: ["ec2"] });
    const read = results2.find((r) => r.name === "an MCP server reading an object is allowed");
    expect(read?.passed).toBe(false);
    expect(read?.detail).toContain("ExplicitlyDenied");
  });
});

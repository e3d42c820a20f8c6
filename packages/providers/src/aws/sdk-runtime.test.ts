/**
 * The AWS SDK for JavaScript warns at client construction (NodeVersionSupportWarning) on a Node below
 * the floor its releases after the first week of January 2027 require (22); every worker start on
 * Node 20 printed it (issue 21). Parapet runs on Node 24, so a client built on the runtime the tests
 * run on (the pinned one) warns about nothing.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the AWS SDK on Parapet's runtime", () => {
  it("runs on Node 24 or newer", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });

  it("builds Organizations and STS clients without a NodeVersionSupportWarning (fresh process, so no earlier warning hides it)", () => {
    const script = [
      "const warnings = [];",
      "process.on('warning', (w) => warnings.push(String(w.message ?? w)));",
      "const { OrganizationsClient } = await import('@aws-sdk/client-organizations');",
      "const { STSClient } = await import('@aws-sdk/client-sts');",
      "new OrganizationsClient({ region: 'us-east-1' }).destroy();",
      "new STSClient({ region: 'us-east-1' }).destroy();",
      // Warnings are emitted on the next tick.
      "await new Promise((r) => setTimeout(r, 50));",
      "console.log(JSON.stringify({ node: process.version, warnings }));",
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: import.meta.dirname,
      encoding: "utf8",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "" },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { node: string; warnings: string[] };
    expect(out.warnings.filter((w) => w.includes("NodeVersionSupportWarning"))).toEqual([]);
    expect(r.stderr).not.toContain("NodeVersionSupportWarning");
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TPlanResult } from "../code/code.schema.ts";
import { runCli } from "./commands.ts";
import { renderPlanHuman, renderPlanMarkdown } from "./remote-render.ts";

/**
 * The CLI's remote commands without a server: the golden Markdown plan (a pull-request comment), and
 * the bad-input campaign of their flags and files. Every refusal happens before any request (the URL
 * below is a port nothing listens on: reaching it would answer "cannot reach", exit 1) and names the
 * flag, variable or field.
 */

const dir = mkdtempSync(join(tmpdir(), "parapet-remote-"));
const GOLDEN = join(import.meta.dirname, "__golden__", "plan.md");

/** A plan with one entry of every kind, drift, a pending approval, previews and Markdown-hostile text. */
const PLAN: TPlanResult = {
  planHash: "a".repeat(64),
  summary: { add: 1, change: 1, weaken: 1, remove: 1, unchanged: 1, drift: 1 },
  entries: [
    {
      key: "no-root",
      guardrailId: null,
      name: "No root | ever",
      control: "deny-root-user",
      action: "add",
      changes: [],
      reasons: [],
      managed: null,
      drift: null,
      pendingApproval: null,
      compiled: {
        aws: { fidelity: "enforced", source: "connection", artifacts: [{}, {}] },
        gcp: { fidelity: "partial", source: "example", artifacts: [], error: "params.x: bad `value`" },
      },
    },
    {
      key: "stay-in-org",
      guardrailId: "g2",
      name: "Stay in the org",
      control: "deny-leave-organization",
      action: "change",
      changes: [{ field: "mode", from: "audit", to: "enforce" }],
      reasons: [],
      managed: { repo: "https://github.com/acme/guardrails", commit: "c0ffee", appliedAt: "2026-12-01T00:00:00.000Z" },
      drift: "changed in the workspace since it was applied from https://github.com/acme/guardrails@c0ffee",
      pendingApproval: null,
    },
    {
      key: "agents",
      guardrailId: "g3",
      name: "Agents",
      control: "agent-no-destructive-actions",
      action: "weaken",
      changes: [{ field: "mode", from: "enforce", to: "audit" }],
      reasons: ["mode: enforce → audit"],
      managed: null,
      drift: null,
      pendingApproval: "appr_1",
      impact: [
        {
          connectionId: "c1",
          connection: "AWS | org",
          cloud: "aws",
          guardrailVersion: 3,
          status: "done",
          judged: 120,
          denied: 4,
          lockout: true,
          finishedAt: "2026-12-01T00:00:00.000Z",
        },
      ],
    },
    {
      key: "old",
      guardrailId: "g4",
      name: "Old",
      control: "no-wildcard-admin",
      action: "remove",
      changes: [],
      reasons: ["deletes the guardrail and removes its artifacts"],
      managed: null,
      drift: null,
      pendingApproval: null,
    },
    {
      key: "same",
      guardrailId: "g5",
      name: "Same",
      control: "no-public-data",
      action: "unchanged",
      changes: [],
      reasons: [],
      managed: null,
      drift: null,
      pendingApproval: null,
    },
  ],
};

describe("plan output", () => {
  it("Markdown matches the golden file (UPDATE_GOLDEN=1 rewrites it)", () => {
    const md = renderPlanMarkdown(PLAN);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, md);
    expect(md).toBe(readFileSync(GOLDEN, "utf8"));
  });
  it("an empty plan says no changes, in both forms", () => {
    const none: TPlanResult = {
      ...PLAN,
      summary: { add: 0, change: 0, weaken: 0, remove: 0, unchanged: 1, drift: 0 },
      entries: [PLAN.entries[4]!],
    };
    expect(renderPlanMarkdown(none)).toContain("**No changes.** 1 guardrails unchanged.");
    expect(renderPlanHuman(none)).toMatch(/^No changes\./);
  });
});

async function cli(argv: string[], env: Record<string, string> = { PARAPET_URL: "http://127.0.0.1:9", PARAPET_TOKEN: "ppt_x" }) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const GOOD = file("good.yaml", "version: 1\nguardrails: []\n");

describe("bad input: every refusal names the flag, variable or field, before any request", () => {
  const usage: [string, string[], Record<string, string> | undefined, RegExp][] = [
    ["no url", ["plan", GOOD], { PARAPET_TOKEN: "t" }, /^--url: required/],
    ["not a url", ["plan", GOOD, "--url", "not a url"], undefined, /^--url: not a URL/],
    ["ftp", ["plan", GOOD, "--url", "ftp://x.example"], undefined, /^--url: expected http\(s\)/],
    [
      "plain http off-host",
      ["plan", GOOD, "--url", "http://parapet.example.com"],
      undefined,
      /^--url: plain http is only allowed to localhost/,
    ],
    ["credentials in url", ["plan", GOOD, "--url", "https://u:p@parapet.example.com"], undefined, /^--url: must not carry credentials/],
    ["no token", ["plan", GOOD], { PARAPET_URL: "http://127.0.0.1:9" }, /^PARAPET_TOKEN: not set/],
    ["token with a space", ["plan", GOOD], { PARAPET_URL: "http://127.0.0.1:9", PARAPET_TOKEN: "a b" }, /^PARAPET_TOKEN: not a token/],
    ["unknown flag", ["plan", GOOD, "--token", "x"], undefined, /^--token: unknown flag/],
    ["flag without value", ["plan", GOOD, "--format"], undefined, /^--format: expected a value/],
    ["flag value is a flag", ["plan", GOOD, "--format", "--no-compiled"], undefined, /^--format: expected a value/],
    ["bad format", ["plan", GOOD, "--format", "html"], undefined, /^--format: expected human\|markdown\|json/],
    ["switch with value", ["plan", GOOD, "--no-compiled=yes"], undefined, /^--no-compiled: takes no value/],
    ["flag twice", ["plan", GOOD, "--repo", "a", "--repo", "b"], undefined, /^--repo: given twice/],
    ["no file", ["plan"], undefined, /^<guardrails.yaml>: expected exactly one file, got 0/],
    ["two files", ["plan", GOOD, GOOD], undefined, /^<guardrails.yaml>: expected exactly one file, got 2/],
    ["bad commit", ["plan", GOOD, "--commit", "abc;rm -rf"], undefined, /^--commit: expected a commit id/],
    ["apply: markdown", ["apply", GOOD, "--format", "markdown"], undefined, /^--format: expected human\|json/],
    ["apply: timeout without wait", ["apply", GOOD, "--timeout", "5"], undefined, /^--timeout\/--poll: only with --wait/],
    ["apply: timeout zero", ["apply", GOOD, "--wait", "--timeout", "0"], undefined, /^--timeout: expected a whole number from 1 to 86400/],
    ["apply: poll text", ["apply", GOOD, "--wait", "--poll", "soon"], undefined, /^--poll: expected a whole number/],
    ["apply: bad plan hash", ["apply", GOOD, "--plan-hash", "abc"], undefined, /^--plan-hash: expected the 64 hex characters/],
    ["export: a file argument", ["export", "out.yaml"], undefined, /^export: takes no file argument \(use --out\)/],
    ["export: bad format", ["export", "--format", "toml"], undefined, /^--format: expected yaml\|json/],
  ];
  it.each(usage)("%s → exit 2", async (_, argv, env, message) => {
    const r = await cli(argv, env);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain("usage: parapet ");
  });

  const files: [string, string, RegExp][] = [
    ["unknown top-level field", "version: 1\nguardrails: []\nextra: 1\n", /bad\.yaml:3:\d+ extra: is not a known field/],
    ["wrong version", "version: 2\nguardrails: []\n", /bad\.yaml:1:10 version: /],
    [
      "bad key",
      "version: 1\nguardrails:\n  - key: Bad Key\n    control: deny-root-user\n    name: x\n    mode: enforce\n    remediation: auto\n    scope: { all: true }\n",
      /bad\.yaml:3:10 guardrails\.0\.key: must be lowercase/,
    ],
    [
      "duplicate key",
      "version: 1\nguardrails:\n  - { key: a, control: deny-root-user, name: x, mode: enforce, remediation: auto, scope: { all: true } }\n  - { key: a, control: deny-root-user, name: y, mode: enforce, remediation: auto, scope: { all: true } }\n",
      /guardrails\.1\.key: duplicate key "a"/,
    ],
    [
      "bad mode",
      "version: 1\nguardrails:\n  - { key: a, control: deny-root-user, name: x, mode: block, remediation: auto, scope: { all: true } }\n",
      /guardrails\.0\.mode: /,
    ],
    ["not yaml", "version: [1\n", /bad\.yaml:\d+:\d+ /],
  ];
  it.each(files)("file: %s → exit 1 naming the field", async (_, text, message) => {
    const r = await cli(["plan", file("bad.yaml", text)]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toContain("cannot reach");
  });

  it("a missing file is named", async () => {
    const r = await cli(["apply", join(dir, "nope.yaml")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope\.yaml: cannot read file \(ENOENT\)/);
  });
});

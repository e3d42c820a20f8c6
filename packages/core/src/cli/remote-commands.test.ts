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
  summary: { add: 1, change: 1, weaken: 1, remove: 1, unchanged: 1, drift: 1, exemptions: { add: 1, change: 1, remove: 1, unchanged: 1 } },
  impact: {
    since: "2026-11-30T12:00:00.000Z",
    until: "2026-12-07T12:00:00.000Z",
    maxEvents: 20000,
    maxConnections: 2,
    budgetSeconds: 30,
    connections: 3,
    connectionsOmitted: ["Azure | tenant"],
    truncated: true,
  },
  exemptions: [
    {
      index: 0,
      guardrail: "agents",
      guardrailId: "g3",
      nodeId: null,
      principal: { cloud: "aws", id: "arn:aws:iam::222233334444:role/release-bot" },
      action: "add",
      exemptionId: null,
      changes: [],
      reason: "the release bot | cleans up",
      expiresAt: "2026-12-31T00:00:00.000Z",
      pendingApproval: null,
    },
    {
      index: 1,
      guardrail: "stay-in-org",
      guardrailId: "g2",
      nodeId: "node_sandbox",
      principal: null,
      action: "change",
      exemptionId: "ex_2",
      changes: [{ field: "expiresAt", from: "2026-12-10T00:00:00.000Z", to: "2026-12-20T00:00:00.000Z" }],
      reason: "sandbox",
      expiresAt: "2026-12-20T00:00:00.000Z",
      pendingApproval: null,
    },
    {
      index: null,
      guardrail: "agents",
      guardrailId: "g3",
      nodeId: "node_dev",
      principal: null,
      action: "remove",
      exemptionId: "ex_3",
      changes: [],
      reason: "old",
      expiresAt: "2026-12-15T00:00:00.000Z",
      pendingApproval: null,
    },
    {
      index: 2,
      guardrail: "same",
      guardrailId: "g5",
      nodeId: "node_lab",
      principal: null,
      action: "unchanged",
      exemptionId: "ex_4",
      changes: [],
      reason: "lab",
      expiresAt: "2026-12-18T00:00:00.000Z",
      pendingApproval: "appr_9",
    },
  ],
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
          status: "done",
          error: null,
          events: 20000,
          truncated: "events",
          judged: 120,
          denied: 4,
          unjudgeable: 1,
          deniedPrincipals: 2,
          topPrincipals: [
            { principal: "arn:aws:iam::222233334444:role/Developer", count: 3 },
            { principal: "arn:aws:iam::222233334444:role/ParapetConnector", count: 1 },
          ],
          topActions: [
            { action: "s3:DeleteBucket", count: 3 },
            { action: "ec2:TerminateInstances", count: 1 },
          ],
          lockout: true,
          exemptionsInForce: 1,
          sparedByExemptions: 2,
        },
        {
          connectionId: "c2",
          connection: "GCP org",
          cloud: "gcp",
          status: "timeout",
          error: "no answer within the plan's 30 s budget",
          events: 0,
          truncated: null,
          judged: 0,
          denied: 0,
          unjudgeable: 0,
          deniedPrincipals: 0,
          topPrincipals: [],
          topActions: [],
          lockout: false,
          exemptionsInForce: 0,
          sparedByExemptions: 0,
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
      planHash: PLAN.planHash,
      summary: {
        add: 0,
        change: 0,
        weaken: 0,
        remove: 0,
        unchanged: 1,
        drift: 0,
        exemptions: { add: 0, change: 0, remove: 0, unchanged: 0 },
      },
      entries: [PLAN.entries[4]!],
      exemptions: [],
    };
    expect(renderPlanMarkdown(none)).toContain("**No changes.** 1 guardrails unchanged.");
    expect(renderPlanHuman(none)).toMatch(/^No changes\./);
  });
  it("a plan that changes only exemptions has no empty guardrail table", () => {
    const only: TPlanResult = {
      planHash: PLAN.planHash,
      summary: {
        add: 0,
        change: 0,
        weaken: 0,
        remove: 0,
        unchanged: 1,
        drift: 0,
        exemptions: { add: 1, change: 0, remove: 0, unchanged: 0 },
      },
      entries: [PLAN.entries[4]!],
      exemptions: [PLAN.exemptions![0]!],
    };
    const md = renderPlanMarkdown(only);
    expect(md).not.toContain("| Action | Guardrail | Control | Change |");
    expect(md).toContain("| ➕ add | `agents` | aws principal arn:aws:iam::222233334444:role/release-bot |");
    expect(renderPlanHuman(only)).toMatch(/^Plan: .*exemptions: 1 to request \(needs approval\), 0 to revoke/);
  });
  it("the human form shows exemptions and each connection's preview, and says when it was cut short", () => {
    const text = renderPlanHuman(PLAN);
    expect(text).toContain("exemptions: 2 to request (needs approval), 1 to revoke");
    expect(text).toMatch(
      /\+ add {4}agents aws principal arn:aws:iam::222233334444:role\/release-bot \[exemptions\.0\]: new, until 2026-12-31: requested for approval/,
    );
    expect(text).toMatch(/- remove {1}agents environment node_dev: not in the file: revoked at once/);
    expect(text).toContain(
      "would have blocked on AWS | org (aws): 4 of 120 calls would have been denied, 2 principals; top actions: s3:DeleteBucket ×3",
    );
    expect(text).toContain("1 exemption in force spared 2 calls");
    expect(text).toContain("truncated at the event cap (20000 events read)");
    expect(text).toContain("would have blocked on GCP org (gcp): timeout: no answer within the plan's 30 s budget");
    expect(text).toMatch(/Impact preview: .*left out past the connection limit: Azure \| tenant; TRUNCATED/);
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
/** A document with one guardrail (key a), for the exemption cases to add to. */
const G =
  "version: 1\nguardrails:\n  - { key: a, control: deny-root-user, name: x, mode: enforce, remediation: auto, scope: { all: true } }\n";

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
    ["impact bound without --impact", ["plan", GOOD, "--impact-days", "7"], undefined, /^--impact-days: only with --impact/],
    [
      "impact days zero",
      ["plan", GOOD, "--impact", "--impact-days", "0"],
      undefined,
      /^--impact-days: expected a whole number from 1 to 30/,
    ],
    [
      "impact days too many",
      ["plan", GOOD, "--impact", "--impact-days", "31"],
      undefined,
      /^--impact-days: expected a whole number from 1 to 30/,
    ],
    [
      "impact events not a number",
      ["plan", GOOD, "--impact", "--impact-max-events", "lots"],
      undefined,
      /^--impact-max-events: expected a whole number from 100 to 100000/,
    ],
    [
      "impact events too few",
      ["plan", GOOD, "--impact", "--impact-max-events", "99"],
      undefined,
      /^--impact-max-events: expected a whole number from 100 to 100000/,
    ],
    [
      "impact connections too many",
      ["plan", GOOD, "--impact", "--impact-connections", "51"],
      undefined,
      /^--impact-connections: expected a whole number from 1 to 50/,
    ],
    [
      "impact budget negative",
      ["plan", GOOD, "--impact", "--impact-budget", "-5"],
      undefined,
      /^--impact-budget: expected a value|^--impact-budget: expected a whole number/,
    ],
    [
      "impact budget too long",
      ["plan", GOOD, "--impact", "--impact-budget", "121"],
      undefined,
      /^--impact-budget: expected a whole number from 5 to 120/,
    ],
    ["impact switch with value", ["plan", GOOD, "--impact=yes"], undefined, /^--impact: takes no value/],
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
    [
      "exemption of an unknown guardrail key",
      `${G}exemptions:\n  - { guardrail: b, nodeId: n1, reason: sandbox, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /bad\.yaml:\d+:\d+ exemptions\.0\.guardrail: no guardrail with key "b" in this document/,
    ],
    [
      "exemption with both node and principal",
      `${G}exemptions:\n  - { guardrail: a, nodeId: n1, principal: { cloud: aws, id: "arn:aws:iam::123456789012:role/x" }, reason: sandbox, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /exemptions\.0\.nodeId: give exactly one of nodeId/,
    ],
    [
      "exemption with neither",
      `${G}exemptions:\n  - { guardrail: a, reason: sandbox, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /exemptions\.0\.nodeId: give exactly one of nodeId/,
    ],
    [
      "exemption with a bad expiry",
      `${G}exemptions:\n  - { guardrail: a, nodeId: n1, reason: sandbox, ownerEmail: a@example.com, expiresAt: next week }\n`,
      /bad\.yaml:\d+:\d+ exemptions\.0\.expiresAt: /,
    ],
    [
      "exemption with a bad owner",
      `${G}exemptions:\n  - { guardrail: a, nodeId: n1, reason: sandbox, ownerEmail: nobody, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /exemptions\.0\.ownerEmail: /,
    ],
    [
      "exemption with a short reason",
      `${G}exemptions:\n  - { guardrail: a, nodeId: n1, reason: "x", ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /exemptions\.0\.reason: /,
    ],
    [
      "exemption of an unknown cloud",
      `${G}exemptions:\n  - { guardrail: a, principal: { cloud: ibm, id: x }, reason: sandbox, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /exemptions\.0\.principal\.cloud: /,
    ],
    [
      "duplicate exemption",
      `${G}exemptions:\n  - { guardrail: a, nodeId: n1, reason: sandbox, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n  - { guardrail: a, nodeId: n1, reason: other, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z" }\n`,
      /exemptions\.1: duplicate exemption/,
    ],
    [
      "unknown exemption field",
      `${G}exemptions:\n  - { guardrail: a, nodeId: n1, reason: sandbox, ownerEmail: a@example.com, expiresAt: "2030-01-01T00:00:00Z", approved: true }\n`,
      /exemptions\.0\.approved: is not a known field/,
    ],
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

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./commands.ts";

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), "../../examples/guardrails.yaml");
const dir = mkdtempSync(join(tmpdir(), "parapet-cli-"));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const MINIMAL = `version: 1
connections:
  aws:
    facts: { orgId: o-acme0example, managementAccountId: "111122223333" }
guardrails:
  - id: no-leaving
    control: deny-leave-organization
`;

describe("parapet compile", () => {
  it("prints packed AWS artifacts and per-cloud artifacts for the example file", async () => {
    const r = await cli("compile", EXAMPLE);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      aws: { policies: { content: string }[]; attachments: { targetId: string }[] };
      azure: unknown[];
      gcp: unknown[];
      oci: unknown[];
      guardrails: { fidelity: string }[];
    };
    expect(json.aws.policies.length).toBeGreaterThan(0);
    expect(json.aws.attachments.map((a) => a.targetId)).toContain("ou-acme-prod0001");
    expect(json.azure.length).toBeGreaterThan(0);
    expect(json.gcp.length).toBeGreaterThan(0);
    expect(json.oci.length).toBeGreaterThan(0);
    expect(json.guardrails.some((g) => g.fidelity === "unsupported")).toBe(true);
  });

  it("is byte-identical across runs and honours --cloud", async () => {
    const a = await cli("compile", EXAMPLE, "--cloud", "gcp");
    const b = await cli("compile", EXAMPLE, "--cloud=gcp");
    expect(a.out).toBe(b.out);
    const json = JSON.parse(a.out) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(["gcp", "guardrails"]);
  });

  it("fails with the target, limit and guardrails when policies cannot fit", async () => {
    const p = file(
      "tight.yaml",
      `${MINIMAL.replace('managementAccountId: "111122223333" }', 'managementAccountId: "111122223333" }\n    limits: { maxPoliciesPerTarget: 1 }')}`,
    );
    const r = await cli("compile", p);
    expect(r.code).toBe(1);
    expect(r.err).toContain("Target root needs 1 SCPs");
    expect(r.err).toContain("no-leaving");
  });
});

describe("parapet test", () => {
  it("runs the scenarios of every guardrail and exits 0 when all pass", async () => {
    const r = await cli("test", EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/(\d+)\/\1 scenarios passed/);
    expect(r.out).toContain("ok   agents-cannot-destroy-prod [aws] an agent deleting a production object is denied");
  });

  it("exits non-zero when a scenario fails", async () => {
    const p = file(
      "failing.yaml",
      `version: 1
connections:
  aws:
    facts: { orgId: o-acme0example, managementAccountId: "111122223333" }
guardrails:
  - id: mcp
    control: mcp-servers-read-only
    params: { awsReadableServices: [ec2] }
`,
    );
    const r = await cli("test", p);
    expect(r.code).toBe(1);
    expect(r.out).toContain("FAIL mcp [aws] an MCP server reading an object is allowed");
  });
});

describe("bad files", () => {
  it("reports YAML syntax errors with line and column", async () => {
    const r = await cli("compile", file("syntax.yaml", "version: 1\nguardrails:\n  - id: [unclosed\n"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/syntax\.yaml:\d+:\d+ /);
  });

  it("names the field and its line for schema errors", async () => {
    const r = await cli(
      "compile",
      file("schema.yaml", MINIMAL.replace("control: deny-leave-organization", "control: no-such-thing\n    mode: sometimes")),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("schema.yaml:7:14 guardrails.0.control: unknown control");
    expect(r.err).toContain("schema.yaml:8:11 guardrails.0.mode:");
  });

  it("points into params and principals for compile-time validation errors", async () => {
    const p = file(
      "params.yaml",
      `version: 1
connections:
  aws:
    facts: { orgId: o-acme0example, managementAccountId: "111122223333" }
    principals:
      connector: { roleArnPatterns: ["not-an-arn"] }
guardrails:
  - id: regions
    control: restrict-regions
    params:
      aws: []
`,
    );
    const r = await cli("compile", p);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/params\.yaml:11:\d+ guardrails\.0\.params\.aws: /);
  });

  it("reports principal errors at their line", async () => {
    const p = file(
      "principals.yaml",
      `version: 1
connections:
  aws:
    facts: { orgId: o-acme0example, managementAccountId: "111122223333" }
    principals:
      connector: { roleArnPatterns: ["not-an-arn"] }
guardrails:
  - id: no-leaving
    control: deny-leave-organization
`,
    );
    const r = await cli("compile", p);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /principals\.yaml:6:\d+ connections\.aws\.principals\.connector\.roleArnPatterns\.0: must be an IAM\/STS ARN pattern/,
    );
  });

  it("prints usage for an unknown command", async () => {
    const r = await cli("deploy");
    expect(r.code).toBe(2);
    expect(r.err).toContain("parapet compile <guardrails.yaml>");
  });
});

describe("hostile files and environments", () => {
  it("refuses an alias bomb and deep nesting in one line, without a stack trace", async () => {
    const levels = Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(",")}]\n`,
    ).join("");
    const bomb = await cli("compile", file("bomb.yaml", `version: 1\na: &a [x,x,x,x,x,x,x,x,x]\n${levels}`));
    expect(bomb.code).toBe(1);
    expect(bomb.err).toMatch(/bomb\.yaml:1:1 aliases expand to too many nodes/);
    const deep = await cli("compile", file("deep.yaml", `version: 1\nconnections: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`));
    expect(deep.code).toBe(1);
    expect(deep.err).toMatch(/deep\.yaml:1:1 nested too deeply to read/);
  });

  it("names the variable for a bad master key or an unreachable database", async () => {
    const saved = { ...process.env };
    try {
      process.env.DATABASE_URL = "postgresql://postgres:hunter2@127.0.0.1:1/x";
      process.env.PARAPET_MASTER_KEY = "garbage";
      const key = await cli("keys", "rotate");
      expect(key.code).toBe(1);
      expect(key.err).toMatch(/^PARAPET_MASTER_KEY: master key \S+ must be 32 bytes/);
      const db = await cli("audit", "verify", "--workspace", "acme");
      expect(db.code).toBe(1);
      expect(db.err).toMatch(/^cannot reach DATABASE_URL=postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x \(/);
      expect(db.err).not.toContain("hunter2");
      const nul = await cli("audit", "verify", "--workspace", "a\u0000b");
      expect(nul.err).toMatch(/^--workspace: expected a workspace slug/);
    } finally {
      process.env = saved;
    }
  });
});

describe("parapet impact", () => {
  const EVENTS = join(dirname(fileURLToPath(import.meta.url)), "../../examples/cloudtrail-sample.json");
  const FACTS = join(dirname(fileURLToPath(import.meta.url)), "../../examples/principals.json");

  it("replays the CloudTrail sample: the agent's deletes and the developer's StopLogging would be denied, break-glass and the connector not", async () => {
    const r = await cli("impact", EXAMPLE, "--cloud", "aws", "--events", EVENTS, "--principals", FACTS, "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as Record<
      string,
      { denied: number; groups: { principal: string; action: string; count: number }[]; lockouts: unknown[] }
    >;
    expect(s["agents-cannot-destroy-prod"]!.groups.map((g) => [g.principal.split("/").pop(), g.action, g.count])).toEqual([
      ["agent-runner", "dynamodb:DeleteTable", 2],
      ["agent-runner", "rds:DeleteDBSnapshot", 1],
    ]);
    expect(s["audit-on"]!.groups.map((g) => [g.principal.split("/").pop(), g.action])).toEqual([["Developer", "cloudtrail:StopLogging"]]);
    expect(s["backups-locked"]!.groups.every((g) => !g.principal.includes("BreakGlass"))).toBe(true);
    expect(Object.values(s).every((x) => x.lockouts.length === 0)).toBe(true);
  });

  it("without the principals' tags the agent's calls are not judgeable, never guessed", async () => {
    const r = await cli("impact", EXAMPLE, "--cloud", "aws", "--events", EVENTS, "--guardrail", "agents-cannot-destroy-prod", "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as Record<string, { denied: number; unjudgeable: number }>;
    expect(s["agents-cannot-destroy-prod"]!.denied).toBe(0);
    expect(s["agents-cannot-destroy-prod"]!.unjudgeable).toBeGreaterThan(0);
  });

  it("exits non-zero on a lockout: the connector really signs in as a role the file's connector class does not name", async () => {
    const f = file(
      "wrong-connector.yaml",
      `version: 1
connections:
  aws:
    facts: { orgId: o-acme0example, managementAccountId: "111122223333" }
    principals:
      connector: { roleArnPatterns: ["arn:aws:iam::*:role/parapet-deployer"] }
guardrails:
  - id: audit-on
    control: audit-logging-locked
`,
    );
    const r = await cli(
      "impact",
      f,
      "--cloud=aws",
      "--events",
      EVENTS,
      "--principals",
      FACTS,
      "--connector",
      "arn:aws:iam::111122223333:role/ParapetConnector",
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/LOCKOUT connector arn:aws:iam::444455556666:role\/ParapetConnector cloudtrail:StopLogging/);
  });

  it("names the problem with a bad events file or a missing option", async () => {
    const bad = file("bad-events.json", "{ not json");
    const r = await cli("impact", EXAMPLE, "--cloud", "aws", "--events", bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--events .*bad-events\.json: CloudTrail export is not JSON/);
    expect((await cli("impact", EXAMPLE, "--events", EVENTS)).code).toBe(2);
  });
});

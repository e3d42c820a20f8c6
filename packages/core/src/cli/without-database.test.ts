import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * Policy as code in a plain CI job: after `pnpm install` alone the Prisma client of @parapet/db is not
 * generated, so loading that package fails. The CLI runs here in a real Node process whose module
 * resolution refuses @parapet/db and anything under a `generated/` folder, as a fresh clone would.
 */

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const EXAMPLE = join(ROOT, "packages/core/examples/guardrails.yaml");
const dir = mkdtempSync(join(tmpdir(), "parapet-nodb-"));

const hooks = join(dir, "no-db-hooks.mjs");
writeFileSync(
  hooks,
  `export async function resolve(specifier, context, next) {
  if (specifier === "@parapet/db" || /(^|\\/)generated\\//.test(specifier)) {
    const e = new Error("Cannot find module '" + specifier + "' (Prisma client not generated)");
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  return next(specifier, context);
}
`,
);
const register = join(dir, "register.mjs");
writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(
      process.execPath,
      ["--import", "tsx", "--import", pathToFileURL(register).href, "packages/core/src/cli/main.ts", ...argv],
      {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      },
    );
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : 1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

describe("parapet compile / test without the database package", () => {
  it("the hook really hides the database package: an operator command says what it needs, in one line", async () => {
    const r = await cli("audit", "verify", "--workspace", "x");
    expect(r.code).toBe(1);
    expect(r.err).toContain("parapet audit needs the database package and its generated Prisma client (pnpm db:generate)");
    expect(r.err).toContain("Prisma client not generated");
    expect(r.err.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("compile prints the AWS artifacts of the example file", async () => {
    const r = await cli("compile", EXAMPLE, "--cloud", "aws");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { aws: { policies: unknown[] } }).aws.policies.length).toBeGreaterThan(0);
  }, 60_000);

  it("test runs every scenario of the example file and passes", async () => {
    const r = await cli("test", EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/(\d+)\/\1 scenarios passed/);
  }, 120_000);

  it("plan loads without the database and speaks only HTTP: an unreachable server is one line, exit 1", async () => {
    const doc = join(dir, "ws.yaml");
    writeFileSync(doc, "version: 1\nguardrails: []\n");
    const r = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        pathToFileURL(register).href,
        "packages/core/src/cli/main.ts",
        "plan",
        doc,
        "--url",
        "http://127.0.0.1:9",
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PARAPET_TOKEN: "ppt_test" } },
    ).then(
      () => ({ code: 0, err: "" }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? 1, err: e.stderr ?? "" }),
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^http:\/\/127\.0\.0\.1:9: cannot reach the server/);
  }, 60_000);

  it("the usage lists the operator commands without loading them", async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.err).toContain("parapet audit verify");
    expect(r.err).toContain("parapet keys rotate");
  }, 60_000);
});

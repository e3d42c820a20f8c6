import { readFileSync, writeFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument, stringify, type Document } from "yaml";
import { ZCodeDocument, type TApplyResult, type TCodeDocument, type TPlanResult } from "../code/code.schema.ts";
import { FileError } from "./guardrails-file.ts";
import { hasChanges, renderApplyHuman, renderPlanHuman, renderPlanMarkdown } from "./remote-render.ts";

/**
 * `parapet plan`, `apply` and `export` against a running Parapet (issue 20). They only speak HTTP to
 * /api/v1 with a token, so they run after `pnpm install` alone (no database, no generated client).
 *
 * Exit codes (docs/policy-as-code.md):
 *   plan    0 no changes · 3 changes (or drift) to apply · 1 error · 2 usage
 *   apply   0 applied (or nothing to do) · 4 waiting for approval · 5 an approval was rejected · 1 error · 2 usage
 *   export  0 written · 1 error · 2 usage
 */
const EXIT = { ok: 0, error: 1, usage: 2, changes: 3, awaitingApproval: 4, rejected: 5 } as const;

export interface RemoteIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Injected so a test can wait without wall-clock sleeps mattering. */
  sleep?: (ms: number) => Promise<void>;
}

/** A refusal of the command line: the message names the flag. */
export class UsageError extends Error {}

/** A refusal from the server or the network, already worded for the user. */
export class RemoteError extends Error {}

interface Flags {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

function parseFlags(args: string[], valued: readonly string[], switches: readonly string[]): Flags {
  const f: Flags = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) {
      f.positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (switches.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name}: takes no value`);
      f.switches.add(name);
    } else if (valued.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined || v === "" || (inline === undefined && v.startsWith("--"))) throw new UsageError(`--${name}: expected a value`);
      if (f.values.has(name)) throw new UsageError(`--${name}: given twice`);
      f.values.set(name, v);
    } else throw new UsageError(`--${name}: unknown flag`);
  }
  return f;
}

function positiveInt(f: Flags, name: string, fallback: number, max: number): number {
  const v = f.values.get(name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new UsageError(`--${name}: expected a whole number from 1 to ${max}, got "${v.slice(0, 40)}"`);
  return Number(v);
}

interface Server {
  url: string;
  token: string;
}

/** The server: --url or PARAPET_URL; the token only from PARAPET_TOKEN (a flag would leave it in the shell history and process list). */
function server(f: Flags, env: RemoteIo["env"]): Server {
  const raw = f.values.get("url") ?? env.PARAPET_URL;
  if (!raw) throw new UsageError("--url: required (or set PARAPET_URL), e.g. --url https://parapet.example.com");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url: not a URL: "${raw.slice(0, 100)}"`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new UsageError(`--url: expected http(s), got ${u.protocol}`);
  // A token sent in the clear crosses the network readable; plain http is for this machine only.
  if (u.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(u.hostname))
    throw new UsageError(`--url: plain http is only allowed to localhost (the token would travel in the clear); use https`);
  if (u.username || u.password) throw new UsageError("--url: must not carry credentials; set PARAPET_TOKEN");
  const token = env.PARAPET_TOKEN;
  if (!token) throw new UsageError("PARAPET_TOKEN: not set; create a token under Settings → API tokens");
  if (!/^[\x21-\x7e]{1,512}$/.test(token)) throw new UsageError("PARAPET_TOKEN: not a token (printable characters, no spaces)");
  return { url: u.href.replace(/\/$/, ""), token };
}

async function request<T>(s: Server, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${s.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${s.token}`,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: "error",
    });
  } catch (e) {
    throw new RemoteError(
      `${s.url}: cannot reach the server (${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message})`,
    );
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; requestId?: string } } | null)?.error;
    throw new RemoteError(
      `${method} ${path}: ${res.status} ${err?.message ?? text.slice(0, 200)}${err?.requestId ? ` (request ${err.requestId})` : ""}`,
    );
  }
  return json as T;
}

/** Locates a value path in the YAML document: `line:col` of the deepest node that exists. */
function locate(doc: Document, lines: LineCounter, path: readonly (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return `${pos.line}:${pos.col}`;
    }
  }
  return "1:1";
}

/** Reads a guardrails document (YAML or JSON) and checks it locally: errors name file:line:col and the field. */
function readCodeDocument(file: string): TCodeDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new FileError([`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  const lines = new LineCounter();
  let doc: Document;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0)
      throw new FileError(
        doc.errors.map((e) => `${file}:${e.linePos?.[0] ? `${e.linePos[0].line}:${e.linePos[0].col}` : "1:1"} ${e.message.split("\n")[0]}`),
      );
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError([`${file}:1:1 ${(e as Error).message.split("\n")[0]}`]);
  }
  const r = ZCodeDocument.safeParse(data);
  if (!r.success)
    throw new FileError(
      r.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === "number" ? p : String(p)));
        const at = i.code === "unrecognized_keys" ? [...path, i.keys[0]!] : path;
        return `${file}:${locate(doc, lines, at)} ${at.join(".") || "(root)"}: ${i.code === "unrecognized_keys" ? "is not a known field" : i.message}`;
      }),
    );
  return r.data;
}

/** The source the guardrails are marked with: flags, else what CI exports (GitHub Actions, GitLab CI). */
function source(f: Flags, env: RemoteIo["env"]) {
  const repo =
    f.values.get("repo") ??
    (env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}` : undefined) ??
    env.CI_PROJECT_URL;
  const commit = f.values.get("commit") ?? env.GITHUB_SHA ?? env.CI_COMMIT_SHA;
  if (repo !== undefined && (repo.length > 300 || !/^[\x20-\x7e]*$/.test(repo)))
    throw new UsageError("--repo: printable ASCII, at most 300 characters");
  if (commit !== undefined && !/^[0-9A-Za-z._/-]{1,100}$/.test(commit))
    throw new UsageError("--commit: expected a commit id (letters, digits, . _ / -)");
  return { ...(repo ? { repo } : {}), ...(commit ? { commit } : {}) };
}

const FORMATS = ["human", "markdown", "json"] as const;
function format(f: Flags, allowed: readonly string[] = FORMATS): string {
  const v = f.values.get("format") ?? allowed[0]!;
  if (!allowed.includes(v)) throw new UsageError(`--format: expected ${allowed.join("|")}, got "${v.slice(0, 40)}"`);
  return v;
}

function one(f: Flags, what: string): string {
  if (f.positional.length !== 1) throw new UsageError(`${what}: expected exactly one file, got ${f.positional.length}`);
  return f.positional[0]!;
}

export const PLAN_USAGE =
  "parapet plan <guardrails.yaml> --url <parapet> [--format human|markdown|json] [--out <file>] [--no-compiled] [--impact [--impact-days <1-30>] [--impact-max-events <100-100000>] [--impact-connections <1-50>] [--impact-budget <5-120 s>]] [--repo <r>] [--commit <sha>]";

/** The preview's bounds (`--impact-*`), each checked here against the server's own limits (code.schema.ts). */
const IMPACT_FLAGS = [
  ["impact-days", "days", 1, 30],
  ["impact-max-events", "maxEvents", 100, 100_000],
  ["impact-connections", "maxConnections", 1, 50],
  ["impact-budget", "budgetSeconds", 5, 120],
] as const;

function impactLimits(f: Flags): Record<string, number> | undefined {
  const given = IMPACT_FLAGS.filter(([flag]) => f.values.has(flag));
  if (given.length > 0 && !f.switches.has("impact")) throw new UsageError(`--${given[0]![0]}: only with --impact`);
  if (given.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const [flag, field, min, max] of given) {
    const v = f.values.get(flag)!;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max}, got "${v.slice(0, 40)}"`);
    out[field] = Number(v);
  }
  return out;
}
export const APPLY_USAGE =
  "parapet apply <guardrails.yaml> --url <parapet> [--plan-hash <h>] [--wait] [--timeout <s>] [--poll <s>] [--format human|json] [--repo <r>] [--commit <sha>]";
export const EXPORT_USAGE = "parapet export --url <parapet> [--out <file>] [--format yaml|json]";

export async function runPlan(args: string[], io: RemoteIo): Promise<number> {
  const f = parseFlags(args, ["url", "format", "out", "repo", "commit", ...IMPACT_FLAGS.map(([flag]) => flag)], ["no-compiled", "impact"]);
  const file = one(f, "<guardrails.yaml>");
  const fmt = format(f);
  const limits = impactLimits(f);
  const s = server(f, io.env);
  const document = readCodeDocument(file);
  const plan = await request<TPlanResult>(s, "POST", "/code/plan", {
    document,
    source: source(f, io.env),
    compiled: !f.switches.has("no-compiled"),
    impact: f.switches.has("impact"),
    ...(limits ? { impactLimits: limits } : {}),
  });
  const text =
    fmt === "json" ? `${JSON.stringify(plan, null, 2)}\n` : fmt === "markdown" ? renderPlanMarkdown(plan) : renderPlanHuman(plan);
  const out = f.values.get("out");
  if (out) writeFileSync(out, text);
  else io.out(text);
  return hasChanges(plan) || plan.summary.drift > 0 ? EXIT.changes : EXIT.ok;
}

interface ApprovalState {
  id: string;
  status: string;
}

export async function runApply(args: string[], io: RemoteIo): Promise<number> {
  const f = parseFlags(args, ["url", "format", "plan-hash", "timeout", "poll", "repo", "commit", "note"], ["wait"]);
  const file = one(f, "<guardrails.yaml>");
  const fmt = format(f, ["human", "json"]);
  const timeoutSec = positiveInt(f, "timeout", 3600, 86_400);
  const pollSec = positiveInt(f, "poll", 10, 3600);
  if (!f.switches.has("wait") && (f.values.has("timeout") || f.values.has("poll")))
    throw new UsageError("--timeout/--poll: only with --wait");
  const planHash = f.values.get("plan-hash");
  if (planHash !== undefined && !/^[0-9a-f]{64}$/.test(planHash))
    throw new UsageError("--plan-hash: expected the 64 hex characters plan printed");
  const s = server(f, io.env);
  const document = readCodeDocument(file);
  const r = await request<TApplyResult>(s, "POST", "/code/apply", {
    document,
    source: source(f, io.env),
    ...(planHash ? { planHash } : {}),
    ...(f.values.get("note") ? { note: f.values.get("note") } : {}),
  });
  const ids = [
    ...new Set([...r.results, ...(r.exemptions ?? [])].flatMap((x) => (x.outcome === "approval" && x.approvalId ? [x.approvalId] : []))),
  ];
  const decisions = new Map<string, string>();
  if (f.switches.has("wait") && ids.length > 0) {
    const sleep = io.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
    const deadline = Date.now() + timeoutSec * 1000;
    io.err(
      `waiting for ${ids.length} approval${ids.length === 1 ? "" : "s"} (up to ${timeoutSec} s):\n${[
        ...r.results.filter((x) => x.approvalUrl).map((x) => `  ${x.key}: ${x.approvalUrl}`),
        ...(r.exemptions ?? []).filter((x) => x.approvalUrl).map((x) => `  exemption of ${x.guardrail}: ${x.approvalUrl}`),
      ].join("\n")}\n`,
    );
    for (;;) {
      for (const id of ids.filter((i) => !decisions.has(i))) {
        const a = await request<ApprovalState>(s, "GET", `/approvals/${encodeURIComponent(id)}`);
        if (a.status !== "pending") decisions.set(id, a.status);
      }
      if (decisions.size === ids.length || Date.now() >= deadline) break;
      await sleep(pollSec * 1000);
    }
  }
  if (fmt === "json") io.out(`${JSON.stringify({ ...r, decisions: Object.fromEntries(decisions) }, null, 2)}\n`);
  else io.out(renderApplyHuman(r, decisions));
  if ([...decisions.values()].some((d) => d !== "approved")) return EXIT.rejected;
  return ids.every((id) => decisions.get(id) === "approved") ? EXIT.ok : EXIT.awaitingApproval;
}

export async function runExport(args: string[], io: RemoteIo): Promise<number> {
  const f = parseFlags(args, ["url", "out", "format"], []);
  if (f.positional.length > 0) throw new UsageError(`export: takes no file argument (use --out), got "${f.positional[0]!.slice(0, 100)}"`);
  const fmt = format(f, ["yaml", "json"]);
  const s = server(f, io.env);
  const { document } = await request<{ document: TCodeDocument }>(s, "GET", "/code/export");
  const text =
    fmt === "json"
      ? `${JSON.stringify(document, null, 2)}\n`
      : `# Exported from ${s.url}; \`parapet plan\` against the same workspace reports no changes.\n${stringify(document)}`;
  const out = f.values.get("out");
  if (out) writeFileSync(out, text);
  else io.out(text);
  return EXIT.ok;
}

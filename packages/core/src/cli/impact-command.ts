/**
 * `parapet impact`: the replay of issue 16, offline. Reads an audit-log export the customer already has
 * (CloudTrail's delivered `{"Records":[...]}` files, an Activity Log export, `gcloud logging read`
 * output, `oci audit event list` output), judges each distinct request against the guardrails of a
 * policy-as-code file as enforce would deploy them, prints the same grouping the console shows, and
 * exits non-zero when the connector or a break-glass principal would have been denied.
 *
 * Offline there is no hierarchy: every event counts as in scope. Principal facts the log lacks (AWS
 * principal tags, OCI group memberships) come from `--principals <file.json>`
 * (`{"<principal id>": {"tags": {...}, "groups": [...]}}`); without it such events are reported as not
 * judgeable, never guessed.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { PrincipalFacts } from "@parapet/providers/contract";
import { getControl } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import type { TCloud } from "../catalog/types.ts";
import { IMPACT_EVALUATORS } from "../impact/evaluators.ts";
import { AUDIT_EXPORT_PARSERS } from "../impact/exports.ts";
import { protectedClassOf } from "../impact/protected.ts";
import { replayImpact, type TImpactSummary } from "../impact/replay.ts";
import type { TImpactEvaluator } from "../impact/types.ts";
import { FileError, type TParsedFile } from "./guardrails-file.ts";

export interface TImpactArgs {
  cloud: TCloud;
  events: string;
  guardrail?: string;
  principals?: string;
  /** The identity the connector really uses (role ARN, app id, service account, user OCID): a denied call of its is a lockout. */
  connector?: string;
  json: boolean;
}

function readText(path: string, what: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new FileError([`${what} ${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  // Trail log files are delivered gzipped; accept them as they are.
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch {
      throw new FileError([`${what} ${path}: looks gzipped but does not decompress`]);
    }
  }
  return buf.toString("utf8");
}

function loadPrincipals(path: string | undefined): Map<string, PrincipalFacts> {
  const out = new Map<string, PrincipalFacts>();
  if (!path) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path, "--principals"));
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError([`--principals ${path}: not JSON (${(e as Error).message})`]);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new FileError([`--principals ${path}: expected an object keyed by principal id`]);
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    const f = (v ?? {}) as { tags?: unknown; groups?: unknown };
    const tags = f.tags && typeof f.tags === "object" && !Array.isArray(f.tags) ? (f.tags as Record<string, unknown>) : {};
    const groups = Array.isArray(f.groups) ? f.groups.filter((g): g is string => typeof g === "string") : [];
    out.set(id, {
      id,
      found: true,
      tags: Object.fromEntries(Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === "string")),
      groups,
    });
  }
  return out;
}

const n = (x: number) => x.toLocaleString("en");
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

function printSummary(out: (t: string) => void, id: string, s: TImpactSummary): void {
  out(
    `\n${id}: would have denied ${plural(s.denied, "call")} by ${plural(s.deniedPrincipals, "principal")} in ${plural(s.deniedEnvironments, "environment")}\n`,
  );
  out(
    `  ${plural(s.events, "event")} read, ${plural(s.distinctRequests, "distinct request")}, ${n(s.allowed)} allowed, ${n(s.unjudgeable)} not judgeable\n`,
  );
  for (const [reason, count] of Object.entries(s.skippedByReader)) out(`  ${n(count)} entries unreadable: ${reason}\n`);
  for (const l of s.lockouts)
    out(`  LOCKOUT ${l.class} ${l.principal} ${l.action}: ${plural(l.count, "call")} (e.g. ${l.sample.time} in ${l.sample.environment})\n`);
  for (const g of s.groups)
    out(`  denied ${n(g.count).padStart(7)}  ${g.principal}  ${g.action}  in ${g.environment}  by ${g.by.join(", ")}\n`);
  if (s.groupsOmitted > 0) out(`  … and ${plural(s.groupsOmitted, "more denied call")} in smaller groups\n`);
  for (const u of s.unjudgeableReasons) out(`  not judgeable ${n(u.count).padStart(7)}  ${u.reason}${u.detail ? ` (${u.detail})` : ""}\n`);
}

export async function runImpact(parsed: TParsedFile, a: TImpactArgs, out: (t: string) => void): Promise<number> {
  const f = parsed.data;
  const conn = f.connections[a.cloud];
  if (!conn) throw new FileError([`${parsed.where(["connections"])} connections.${a.cloud}: not configured`]);
  const guardrails = a.guardrail ? f.guardrails.filter((g) => g.id === a.guardrail) : f.guardrails;
  if (guardrails.length === 0) throw new FileError([`--guardrail: no guardrail "${a.guardrail}" in ${parsed.file}`]);
  let parsedEvents: ReturnType<(typeof AUDIT_EXPORT_PARSERS)[TCloud]>;
  try {
    parsedEvents = AUDIT_EXPORT_PARSERS[a.cloud](readText(a.events, "--events"));
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError([`--events ${a.events}: ${(e as Error).message}`]);
  }
  const { events, skipped } = parsedEvents;
  const facts = loadPrincipals(a.principals);
  const evaluator: TImpactEvaluator = IMPACT_EVALUATORS[a.cloud];
  const summaries: Record<string, TImpactSummary> = {};
  let lockout = false;
  for (const g of guardrails) {
    const input = {
      cloud: a.cloud,
      // What enforce would deploy, whatever mode the file gives the guardrail.
      mode: "enforce" as const,
      workspaceId: f.workspace,
      guardrail: { id: g.id, version: g.version },
      params: g.params,
      principals: conn.principals,
      facts: conn.facts,
    };
    const control = getControl(g.control)!;
    const ctx = buildContext(input);
    const prepared = evaluator.prepare({ fragment: compileControl(control, input).fragment, ctx });
    const s = await replayImpact({
      prepared,
      pages: (async function* () {
        yield { events, skipped };
      })(),
      scopeOf: () => "in",
      environmentOf: (e) => ({ name: e.nodeExternalId ?? "unknown" }),
      protectedClass: (e, known) => protectedClassOf(a.cloud, ctx.principals as never, a.connector ?? null, e, known),
      lookupPrincipals: async (ids) => ids.flatMap((id) => facts.get(id) ?? []),
    });
    summaries[g.id] = s;
    if (s.lockouts.length > 0) lockout = true;
    if (!a.json) printSummary(out, g.id, s);
  }
  if (a.json) out(`${JSON.stringify(summaries, null, 2)}\n`);
  else if (lockout) out(`\nLOCKOUT: enforcing would deny the connector or a break-glass principal (see above)\n`);
  return lockout ? 1 : 0;
}

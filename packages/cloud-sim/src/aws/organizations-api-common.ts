import { type AwsError, E } from "./errors.ts";
import { RE } from "./ids.ts";
import type { OrgState, Tags } from "./org-state.ts";
import { ALL_POLICY_TYPE_VALUES, POLICY_TYPES, type PolicyType } from "./policy-doc.ts";

// What every group of Organizations operations shares: the operation types, input helpers and paging.

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export interface OpContext {
  state: OrgState;
  /** Page size used when MaxResults is absent. */
  defaultPageSize: number;
  /** Return an empty last page with a NextToken when a page ends exactly at the end of a list (AWS does this at times). */
  trailingEmptyPage: boolean;
}

interface OpResult {
  output: Output;
  /** Present for mutations: what CloudTrail would record as responseElements (null when AWS records none). */
  responseElements?: Output | null;
}

type OpFamily = "read" | "write";

export interface OpDef {
  family: OpFamily;
  run(ctx: OpContext, input: Input): OpResult;
}

// ---- input helpers ------------------------------------------------------------------------------------

export function typeError(name: string, expected: string): AwsError {
  return E.serialization(`Unexpected value for ${name}: expected ${expected}`);
}

export function optString(input: Input, name: string, max = 1_000_000): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw typeError(name, "a string");
  if (v.length > max)
    throw E.invalidInput("MAX_LENGTH_EXCEEDED", `You provided a string parameter ${name} that is longer than allowed (${max}).`);
  return v;
}

export function reqString(input: Input, name: string, max?: number): string {
  const v = optString(input, name, max);
  if (v === undefined || v === "") throw E.invalidInput("INPUT_REQUIRED", `You must provide a value for the required parameter ${name}.`);
  return v;
}

export function reqId(input: Input, name: string, re: RegExp | RegExp[], reason = "INVALID_PATTERN"): string {
  const v = reqString(input, name, 200);
  const ok = Array.isArray(re) ? re.some((r) => r.test(v)) : re.test(v);
  if (!ok)
    throw E.invalidInput(reason, `You specified a value for ${name} that is not valid: "${v}". It doesn't match the required pattern.`);
  return v;
}

export const PARENT_RES = [RE.root, RE.ou];
export const TARGET_RES = [RE.root, RE.ou, RE.account];

export function policyType(input: Input, name: string): PolicyType {
  const v = reqString(input, name, 64);
  if (!ALL_POLICY_TYPE_VALUES.has(v)) {
    throw E.invalidInput("INVALID_ENUM_POLICY_TYPE", `You specified an invalid policy type for ${name}: ${v}.`);
  }
  if (!(POLICY_TYPES as readonly string[]).includes(v)) throw E.policyTypeNotAvailable(v);
  return v as PolicyType;
}

export function name(input: Input, field: string, max: number): string {
  const v = reqString(input, field, max);
  if (v.length > max) throw E.invalidInput("MAX_LENGTH_EXCEEDED", `${field} is longer than ${max} characters.`);
  return v;
}

export function description(input: Input): string | undefined {
  const v = optString(input, "Description", 512);
  return v;
}

export function tagsIn(input: Input, field = "Tags"): Tags {
  const v = input[field];
  const out: Tags = new Map();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw typeError(field, "a list of tags");
  for (const t of v) {
    if (typeof t !== "object" || t === null || Array.isArray(t)) throw typeError(field, "a list of {Key, Value}");
    const key = (t as Input).Key;
    const value = (t as Input).Value;
    if (typeof key !== "string" || typeof value !== "string") throw typeError(`${field}.Key/Value`, "strings");
    if (key.length < 1 || key.length > 128) throw E.invalidInput("INVALID_PATTERN", `Tag key must be 1 to 128 characters: "${key}".`);
    if (value.length > 256) throw E.invalidInput("MAX_LENGTH_EXCEEDED", `Tag value for "${key}" is longer than 256 characters.`);
    if (key.toLowerCase().startsWith("aws:")) {
      throw E.invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", `Tag keys beginning with "aws:" are reserved: "${key}".`);
    }
    if (out.has(key)) throw E.invalidInput("DUPLICATE_TAG_KEY", `You specified the tag key "${key}" more than once.`);
    out.set(key, value);
  }
  return out;
}

// ---- paging -------------------------------------------------------------------------------------------

function maxResults(ctx: OpContext, input: Input): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return ctx.defaultPageSize;
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError("MaxResults", "an integer");
  if (v < 1) throw E.invalidInput("MIN_VALUE_EXCEEDED", `You provided a value for MaxResults that is too small: ${v}. The minimum is 1.`);
  if (v > 20) throw E.invalidInput("MAX_VALUE_EXCEEDED", `You provided a value for MaxResults that is too large: ${v}. The maximum is 20.`);
  return v;
}

/**
 * Opaque-looking but deterministic token: the operation, the list it pages (parent, filter…) and an
 * offset. A token replayed against another list is rejected as AWS rejects a foreign token.
 */
function encodeToken(op: string, key: string, offset: number): string {
  return Buffer.from(`v1|${op}|${key}|${offset}`).toString("base64url");
}

export function decodeToken(op: string, key: string, token: string): number {
  const raw = Buffer.from(token, "base64url").toString("utf8").split("|");
  const offset = Number(raw[3]);
  if (raw.length !== 4 || raw[0] !== "v1" || raw[1] !== op || raw[2] !== key || !Number.isInteger(offset) || offset < 0) {
    throw E.invalidInput(
      "INVALID_NEXT_TOKEN",
      "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.",
    );
  }
  return offset;
}

export function page<T>(
  ctx: OpContext,
  op: string,
  key: string,
  input: Input,
  items: readonly string[],
  map: (id: string) => T | undefined,
): { items: T[]; NextToken?: string } {
  const size = maxResults(ctx, input);
  const tok = optString(input, "NextToken", 100_000);
  const start = tok ? decodeToken(op, key, tok) : 0;
  const out: T[] = [];
  let i = start;
  for (; i < items.length && out.length < size; i++) {
    const m = map(items[i]!);
    if (m !== undefined) out.push(m);
  }
  const more = i < items.length || (ctx.trailingEmptyPage && out.length === size && out.length > 0);
  return more ? { items: out, NextToken: encodeToken(op, key, i) } : { items: out };
}

// ---- operation definitions -----------------------------------------------------------------------------

export const read = (run: OpDef["run"]): OpDef => ({ family: "read", run });
export const write = (run: OpDef["run"]): OpDef => ({ family: "write", run });

/** CloudTrail writes request and response elements in lowerCamelCase. */
export function lowerKeys(v: unknown): Output {
  return lowerDeep(v) as Output;
}

function lowerDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerDeep);
  if (v && typeof v === "object") {
    const out: Output = {};
    for (const [k, x] of Object.entries(v as Output)) out[k.charAt(0).toLowerCase() + k.slice(1)] = lowerDeep(x);
    return out;
  }
  return v;
}

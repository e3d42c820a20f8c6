import { invalid, missing } from "./errors.ts";
import type { DefinedTags, Tags } from "./model.ts";

export type Json = Record<string, unknown>;

export function asObject(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(`${what} must be a JSON object.`);
  return v as Json;
}

export function str(
  o: Json,
  field: string,
  opts: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternHelp?: string } = {},
): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (opts.required) throw missing(field);
    return undefined;
  }
  if (typeof v !== "string") throw invalid(`Parameter '${field}' must be a string.`);
  const min = opts.min ?? (opts.required ? 1 : 0);
  if (v.length < min) throw invalid(`Parameter '${field}' must be at least ${min} characters.`);
  if (opts.max !== undefined && v.length > opts.max) throw invalid(`Parameter '${field}' must be at most ${opts.max} characters.`);
  if (opts.pattern && !opts.pattern.test(v)) throw invalid(`Parameter '${field}' ${opts.patternHelp ?? "has an invalid format"}.`);
  return v;
}

export function bool(o: Json, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalid(`Parameter '${field}' must be a boolean.`);
  return v;
}

export function strArray(o: Json, field: string, opts: { required?: boolean; maxItems?: number } = {}): string[] | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (opts.required) throw missing(field);
    return undefined;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw invalid(`Parameter '${field}' must be an array of strings.`);
  if (opts.maxItems !== undefined && v.length > opts.maxItems) {
    throw invalid(`Parameter '${field}' must have at most ${opts.maxItems} items.`);
  }
  return v as string[];
}

const MAX_TAGS = 64;

export function freeformTags(o: Json, field = "freeformTags"): Tags | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const t = asObject(v, `Parameter '${field}'`);
  const entries = Object.entries(t);
  if (entries.length > MAX_TAGS) throw invalid(`Parameter '${field}' has more than ${MAX_TAGS} tags.`);
  for (const [k, val] of entries) {
    if (!k || k.length > 100 || /[\s.]/.test(k))
      throw invalid(`Freeform tag key '${k}' is invalid (1-100 characters, no spaces or periods).`);
    if (typeof val !== "string" || val.length > 256)
      throw invalid(`Freeform tag '${k}' must have a string value of at most 256 characters.`);
  }
  return { ...(t as Tags) };
}

export function definedTags(o: Json, field = "definedTags"): DefinedTags | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const t = asObject(v, `Parameter '${field}'`);
  const out: DefinedTags = {};
  let n = 0;
  for (const [ns, keys] of Object.entries(t)) {
    if (!ns || ns.length > 100) throw invalid(`Defined tag namespace '${ns}' is invalid.`);
    const kv = asObject(keys, `Defined tag namespace '${ns}'`);
    for (const [k, val] of Object.entries(kv)) {
      n++;
      if (!k || k.length > 100) throw invalid(`Defined tag key '${ns}.${k}' is invalid.`);
      if (typeof val === "object" && val !== null) throw invalid(`Defined tag '${ns}.${k}' must have a scalar value.`);
    }
    out[ns] = { ...kv };
  }
  if (n > MAX_TAGS) throw invalid(`Parameter '${field}' has more than ${MAX_TAGS} tags.`);
  return out;
}

import { createHash } from "node:crypto";
import { invalid } from "./errors.ts";
import type { Expr } from "./model.ts";

/** Loosely-typed JSON object from a request body. */
export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, field: string): Json {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw invalid(`Invalid value at '${field}': expected an object.`, field);
  return v;
}

export function optStr(o: Json, key: string, field = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`Invalid value at '${field}' (TYPE_STRING), ${JSON.stringify(v)}`, field);
  return v;
}

/** A google.type.Expr (org policy rule condition, deny rule denial_condition): its four string fields. */
export function optExpr(v: unknown, field: string): Expr | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  const e: Expr = {};
  for (const k of ["expression", "title", "description", "location"] as const) {
    const s = optStr(o, k, `${field}.${k}`);
    if (s) e[k] = s;
  }
  return e;
}

export function optBool(o: Json, key: string, field = key): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalid(`Invalid value at '${field}' (TYPE_BOOL), ${JSON.stringify(v)}`, field);
  return v;
}

export function strArr(o: Json, key: string, field = key): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw invalid(`Invalid value at '${field}': expected a list of strings.`, field);
  }
  return v as string[];
}

export function strMap(o: Json, key: string, field = key): Record<string, string> {
  const v = o[key];
  if (v === undefined || v === null) return {};
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw invalid(`Invalid value at '${field}': expected a map of strings.`, field);
  }
  return { ...(v as Record<string, string>) };
}

/**
 * Accepts an enum as its name or number (the SDKs send numbers with `enum-encoding=int`), returning the
 * name; `table[i]` is the name of value i.
 */
export function enumIn(v: unknown, table: readonly string[], field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < table.length) return table[v];
  if (typeof v === "string" && table.includes(v)) return v;
  throw invalid(`Invalid value at '${field}' (TYPE_ENUM), ${JSON.stringify(v)}`, field);
}

/** Enum on the way out: number when the client asked for `$alt=json;enum-encoding=int`. */
export function enumOut(intEnums: boolean, table: readonly string[], name: string): string | number {
  if (!intEnums) return name;
  const i = table.indexOf(name);
  return i < 0 ? 0 : i;
}

export interface PageResult<T> {
  items: T[];
  nextPageToken: string;
}

/**
 * Offset paging with opaque tokens bound to the listing they came from, so a token replayed against
 * another parent is rejected like Google does.
 */
export function paginate<T>(
  all: T[],
  query: URLSearchParams,
  scope: string,
  limits: { defaultPageSize: number; maxPageSize: number },
): PageResult<T> {
  const rawSize = query.get("pageSize");
  let size = limits.defaultPageSize;
  if (rawSize !== null && rawSize !== "") {
    const n = Number(rawSize);
    if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid value at 'page_size' (TYPE_INT32), "${rawSize}"`, "page_size");
    if (n > 0) size = Math.min(n, limits.maxPageSize);
  }
  const scopeHash = createHash("sha1").update(scope).digest("hex").slice(0, 12);
  let offset = 0;
  const tok = query.get("pageToken");
  if (tok) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(tok, "base64url").toString("utf8"));
    } catch {
      parsed = undefined;
    }
    if (!isObj(parsed) || parsed.s !== scopeHash || typeof parsed.o !== "number" || parsed.o < 0) {
      throw invalid("The page token is invalid.", "page_token");
    }
    offset = parsed.o;
  }
  const items = all.slice(offset, offset + size);
  const next = offset + size;
  return {
    items,
    nextPageToken: next < all.length ? Buffer.from(JSON.stringify({ s: scopeHash, o: next })).toString("base64url") : "",
  };
}

/** Adds `nextPageToken` only when there is a next page, as Google omits empty strings. */
export function withToken<T extends Json>(body: T, token: string): T {
  return token ? { ...body, nextPageToken: token } : body;
}

/**
 * SCIM 2.0 wire format (RFC 7643 schemas, RFC 7644 protocol): URNs, the error body, filters, paging
 * and the lenient readings Entra ID and Okta need. Pure functions; no database.
 */

export const SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SCIM_ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const SCIM_PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
export const SCIM_RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
export const SCIM_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";
export const SCIM_MEDIA_TYPE = "application/scim+json";

/** RFC 7644 §3.12 `scimType` values Parapet answers with. */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

/** A refusal in SCIM's shape: `status` is a string (RFC 7644 §3.12), `detail` names the attribute. */
export class ScimError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 500 | 501 | 503,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = "ScimError";
  }

  body() {
    return {
      schemas: [SCIM_ERROR],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

export const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");

/** One `attribute eq "value"` comparison: all Entra ID and Okta send (RFC 7644 §3.4.2.2). */
export interface EqFilter {
  attribute: string;
  value: string;
}

const EQ_FILTER = /^\s*([A-Za-z][A-Za-z0-9_.:-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

/**
 * Parses a filter Parapet can answer exactly. Anything else (other operators, `and`/`or`, attributes
 * not listed) is refused with invalidFilter rather than answered loosely: a wrong "no such user" makes
 * the IdP create a duplicate, a wrong match links the wrong person.
 */
export function parseFilter(raw: string | null, allowed: readonly string[]): EqFilter | null {
  if (raw === null) return null;
  if (raw.length > 1000) throw new ScimError(400, "filter: longer than 1000 characters", "invalidFilter");
  const m = EQ_FILTER.exec(raw);
  if (!m)
    throw new ScimError(
      400,
      `filter: only \`attribute eq "value"\` is supported (got ${JSON.stringify(raw.slice(0, 100))})`,
      "invalidFilter",
    );
  const attribute = allowed.find((a) => a.toLowerCase() === m[1]!.toLowerCase());
  if (!attribute) throw new ScimError(400, `filter: cannot filter on ${m[1]}; supported: ${allowed.join(", ")}`, "invalidFilter");
  let value: string;
  try {
    value = JSON.parse(`"${m[2]}"`) as string;
  } catch {
    throw new ScimError(400, "filter: the compared value is not a valid string", "invalidFilter");
  }
  return { attribute, value };
}

export const MAX_PAGE = 200;

/** startIndex (1-based) and count (RFC 7644 §3.4.2.4): below-range values are read as the RFC says, junk is refused. */
export function parsePaging(q: URLSearchParams): { startIndex: number; count: number } {
  const int = (name: string, fallback: number) => {
    const v = q.get(name);
    if (v === null || v === "") return fallback;
    if (!/^-?\d{1,9}$/.test(v)) throw invalidValue(`${name}: must be an integer (got ${JSON.stringify(v.slice(0, 20))})`);
    return Number(v);
  };
  const startIndex = Math.max(1, int("startIndex", 1));
  const count = Math.min(MAX_PAGE, Math.max(0, int("count", 100)));
  return { startIndex, count };
}

/** `true`/`false`, or the strings "True"/"False" Entra ID sends without its aadOptscim062020 flag. */
export function scimBoolean(v: unknown, field: string): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  throw invalidValue(`${field}: must be true or false`);
}

export function scimString(v: unknown, field: string, max = 256): string {
  if (typeof v !== "string") throw invalidValue(`${field}: must be a string`);
  if (v.length > max) throw invalidValue(`${field}: longer than ${max} characters`);
  return v;
}

export function optionalString(v: unknown, field: string, max = 256): string | null {
  if (v === undefined || v === null) return null;
  return scimString(v, field, max);
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The request's `schemas` must name `urn` (Entra ID and Okta always send it). */
export function requireSchema(body: Record<string, unknown>, urn: string): void {
  const s = body.schemas;
  if (!Array.isArray(s) || !s.includes(urn)) throw new ScimError(400, `schemas: must include "${urn}"`, "invalidSyntax");
}

const ADDRESS = /^[^@\s"<>()[\],;:\\]{1,64}@([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+)$/;

/** An e-mail address (lower-cased) and its domain, or null. */
export function emailParts(v: string): { email: string; domain: string } | null {
  const email = v.trim().toLowerCase();
  const m = ADDRESS.exec(email);
  return m && email.length <= 254 ? { email, domain: m[1]! } : null;
}

/** The op of a PATCH operation, case-insensitive (Entra ID sends "Replace", "Add", "Remove"). */
function patchOp(v: unknown, i: number): "add" | "replace" | "remove" {
  const op = typeof v === "string" ? v.toLowerCase() : "";
  if (op === "add" || op === "replace" || op === "remove") return op;
  throw invalidValue(`Operations[${i}].op: must be add, replace or remove`);
}

/** The operations of a PatchOp request (RFC 7644 §3.5.2), at most 1000 of them. */
export function patchOperations(
  body: Record<string, unknown>,
): { op: "add" | "replace" | "remove"; path: string | null; value: unknown }[] {
  requireSchema(body, SCIM_PATCH_OP);
  const ops = body.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, "Operations: must be a non-empty list", "invalidSyntax");
  if (ops.length > 1000) throw new ScimError(413, "Operations: more than 1000 operations", "tooMany");
  return ops.map((o: unknown, i) => {
    if (!isRecord(o)) throw new ScimError(400, `Operations[${i}]: must be an object`, "invalidSyntax");
    const op = patchOp(o.op, i);
    const path = o.path === undefined || o.path === null ? null : scimString(o.path, `Operations[${i}].path`, 512).trim();
    if (op === "remove" && !path) throw new ScimError(400, `Operations[${i}].path: remove needs a path`, "noTarget");
    if (op !== "remove" && o.value === undefined) throw invalidValue(`Operations[${i}].value: is required for ${op}`);
    return { op, path: path || null, value: o.value };
  });
}

/** `members[value eq "id"]` (Okta's and Entra's single-member remove), or null. */
export function memberValueFilter(path: string): string | null {
  const m = /^members\s*\[\s*value\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\]$/i.exec(path);
  return m ? (JSON.parse(`"${m[1]}"`) as string) : null;
}

import type { DesiredArtifact, Difference, ObservedArtifact } from "../contract/types.ts";
import { canonicalStatement } from "./packing.ts";
import {
  AWS_POLICY_TYPE_API_NAME,
  ZAwsOrgPolicyBody,
  ZIamPolicyDocument,
  type TAwsOrgPolicy,
  type TAwsPolicyType,
  type TIamConditionBlock,
  type TIamPolicyDocument,
  type TIamStatement,
} from "./types.ts";

/**
 * Normalisation and comparison of SCP/RCP bodies. AWS returns a policy's content exactly as it was
 * sent, so a person who pretty-prints, reorders actions or splits a statement list differently has
 * not changed its meaning: both sides are parsed and canonicalised (packing's canonicalStatement:
 * fixed key order, sorted de-duplicated lists) before anything is compared.
 */

/** The observed body: TAwsOrgPolicy's shape, plus the raw text when it is not an IAM document we understand. */
export interface TAwsObservedPolicy extends TAwsOrgPolicy {
  /** Set when the content could not be parsed as a 2012-10-17 policy document. */
  unparsed?: string;
}

export function awsPolicyTypeFromApi(apiType: string | undefined): TAwsPolicyType | undefined {
  for (const t of ["SCP", "RCP"] as const) if (AWS_POLICY_TYPE_API_NAME[t] === apiType) return t;
  return undefined;
}

/** Parses policy content into a canonical document; undefined when it is not one. */
export function canonicalDocument(content: string): TIamPolicyDocument | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch {
    return undefined;
  }
  const parsed = ZIamPolicyDocument.safeParse(raw);
  if (!parsed.success) return undefined;
  return { Version: "2012-10-17", Statement: parsed.data.Statement.map((s) => canonicalStatement(s)) };
}

/** Minified canonical text: the same meaning gives the same bytes. */
function canonicalContent(doc: TIamPolicyDocument): string {
  return JSON.stringify({ Version: doc.Version, Statement: doc.Statement.map(canonicalStatement) });
}

/** Builds the observed body from what DescribePolicy (and, when read, ListTagsForResource) returned. */
export function awsPolicyBodyFromCloud(p: {
  name: string;
  description: string;
  type: TAwsPolicyType;
  content: string;
  tags: Record<string, string>;
}): TAwsObservedPolicy {
  const doc = canonicalDocument(p.content);
  if (!doc) {
    return {
      name: p.name,
      description: p.description,
      type: p.type,
      document: { Version: "2012-10-17", Statement: [] },
      content: p.content,
      tags: p.tags,
      unparsed: p.content,
    };
  }
  return { name: p.name, description: p.description, type: p.type, document: doc, content: canonicalContent(doc), tags: p.tags };
}

// ---- comparison -----------------------------------------------------------------------------------

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const globCache = new Map<string, RegExp>();
function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? "i" : "s"}|${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, caseInsensitive ? "i" : "");
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(key, re);
  }
  return re;
}

/** Is `value` (itself possibly a wildcard) matched by one of `patterns`? IAM action names are case-insensitive. */
function covered(value: string, patterns: string[], caseInsensitive: boolean): boolean {
  return patterns.some((p) => p === value || glob(p, caseInsensitive).test(value));
}

function uncovered(values: string[], patterns: string[], caseInsensitive: boolean): string[] {
  return values.filter((v) => !covered(v, patterns, caseInsensitive));
}

function sample(xs: string[], n = 3): string {
  return xs.length <= n ? xs.join(", ") : `${xs.slice(0, n).join(", ")} and ${xs.length - n} more`;
}

/** Strips set and IfExists qualifiers: `ForAnyValue:StringNotLike` / `ArnNotLikeIfExists` → `StringNotLike` / `ArnNotLike`. */
function baseOperator(op: string): string {
  return op.replace(/^For(Any|All)Value:/, "").replace(/IfExists$/, "");
}

const NEGATED = /Not/;
const ORDERED = /^(Bool|Null|Numeric|Date|BinaryEquals)/;

/**
 * Ways an observed Deny statement protects less than the desired one: it no longer denies, denies
 * fewer actions or resources, exempts more (NotAction/NotResource grew), or applies in fewer
 * situations (a condition added, an exclusion such as ArnNotLike widened, a match list narrowed).
 */
function weakenings(sid: string, d: TIamStatement, o: TIamStatement): string[] {
  const out: string[] = [];
  const label = sid ? `statement ${sid}` : "a statement";
  if (o.Effect !== "Deny") return [`${label} no longer denies (Effect ${o.Effect})`];

  if (d.Action !== undefined) {
    if (o.Action === undefined) out.push(`${label} switched from a list of denied actions to NotAction`);
    else {
      const lost = uncovered(list(d.Action), list(o.Action), true);
      if (lost.length) out.push(`${label} no longer denies ${sample(lost)}`);
    }
  } else if (d.NotAction !== undefined) {
    if (o.NotAction === undefined) out.push(`${label} switched from NotAction to a list of denied actions`);
    else {
      const extra = uncovered(list(o.NotAction), list(d.NotAction), true);
      if (extra.length) out.push(`${label} exempts more actions: ${sample(extra)}`);
    }
  }

  if (d.NotResource === undefined) {
    if (o.NotResource !== undefined) out.push(`${label} now exempts resources (NotResource)`);
    else {
      const lost = uncovered(list(d.Resource ?? "*"), list(o.Resource ?? "*"), false);
      if (lost.length) out.push(`${label} no longer covers resources ${sample(lost)}`);
    }
  } else if (o.NotResource === undefined) {
    if (o.Resource !== undefined && !list(o.Resource).includes("*")) out.push(`${label} switched from NotResource to a resource list`);
  } else {
    const extra = uncovered(list(o.NotResource), list(d.NotResource), false);
    if (extra.length) out.push(`${label} exempts more resources: ${sample(extra)}`);
  }

  out.push(...conditionWeakenings(label, d.Condition ?? {}, o.Condition ?? {}));
  return out;
}

function conditionWeakenings(label: string, d: TIamConditionBlock, o: TIamConditionBlock): string[] {
  const out: string[] = [];
  for (const [op, keys] of Object.entries(o)) {
    for (const [key, values] of Object.entries(keys)) {
      const want = d[op]?.[key];
      const have = list(values);
      if (want === undefined) {
        // A Deny with an extra condition applies in fewer situations: an exemption was added.
        out.push(`${label} gained condition ${op} ${key} = ${sample(have)}`);
        continue;
      }
      const wanted = list(want);
      const added = have.filter((v) => !wanted.includes(v));
      const removed = wanted.filter((v) => !have.includes(v));
      if (!added.length && !removed.length) continue;
      const base = baseOperator(op);
      if (ORDERED.test(base) && !NEGATED.test(base)) {
        out.push(`${label} condition ${op} ${key} changed to ${sample(have)}`);
      } else if (NEGATED.test(base)) {
        if (added.length) out.push(`${label} exempts more via ${op} ${key}: ${sample(added)}`);
      } else if (removed.length) {
        out.push(`${label} condition ${op} ${key} no longer matches ${sample(removed)}`);
      }
    }
  }
  return out;
}

function key(s: TIamStatement): string {
  return s.Sid ? `sid:${s.Sid}` : `text:${JSON.stringify(s)}`;
}

/**
 * Field-by-field comparison of a desired SCP/RCP with what AWS holds, both canonicalised.
 * Weakened when protection was reduced (see `weakenings`; a desired statement missing counts too);
 * any other difference (description, name, added or strengthened statements) is "modified".
 * Tags are not compared: ownership is verified against AWS before every write instead.
 */
export function compareAwsPolicy(desired: TAwsOrgPolicy, observed: TAwsObservedPolicy): Difference {
  const weakened: string[] = [];
  const modified: string[] = [];

  if (observed.type !== desired.type) modified.push(`type is ${observed.type}, expected ${desired.type}`);
  if (observed.unparsed !== undefined) {
    return { equal: false, kind: "modified", detail: "the policy content is no longer a policy document Parapet can read" };
  }
  const want = canonicalDocument(desired.content) ?? {
    Version: "2012-10-17" as const,
    Statement: desired.document.Statement.map(canonicalStatement),
  };
  const have = new Map(observed.document.Statement.map((s) => [key(s), s]));
  const wantKeys = new Set<string>();
  for (const d of want.Statement) {
    const k = key(d);
    wantKeys.add(k);
    const o = have.get(k);
    if (!o) {
      (d.Effect === "Deny" ? weakened : modified).push(`statement ${d.Sid ?? "(no Sid)"} was removed`);
      continue;
    }
    if (JSON.stringify(o) === JSON.stringify(d)) continue;
    const w = d.Effect === "Deny" ? weakenings(d.Sid ?? "", d, o) : [];
    if (w.length) weakened.push(...w);
    else modified.push(`statement ${d.Sid ?? "(no Sid)"} was edited`);
  }
  for (const [k, o] of have) {
    if (!wantKeys.has(k)) modified.push(`statement ${o.Sid ?? "(no Sid)"} was added`);
  }
  if (observed.name !== desired.name) modified.push(`renamed to ${observed.name}`);
  if (observed.description !== desired.description) modified.push("description changed");

  if (weakened.length) return { equal: false, kind: "weakened", detail: [...weakened, ...modified].join("; ") };
  if (modified.length) return { equal: false, kind: "modified", detail: modified.join("; ") };
  return { equal: true };
}

/** The adapter's compare: the desired artifact's body parsed and canonicalised, then compareAwsPolicy. */
export function compareAwsArtifact(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
  const d = ZAwsOrgPolicyBody.safeParse(desired.body);
  if (!d.success) return { equal: false, kind: "modified", detail: "the desired body is not an AWS Organizations policy" };
  const want: TAwsOrgPolicy = { ...d.data, document: canonicalDocument(d.data.content) ?? { Version: "2012-10-17", Statement: [] } };
  return compareAwsPolicy(want, observed.body as TAwsObservedPolicy);
}

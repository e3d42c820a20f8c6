/**
 * OCI IAM policy statement grammar, enough to reject what the Identity service rejects:
 *
 *   Allow|Deny <subject> to <verb> <resource-type> | {PERMISSION, ...} in <location> [where <conditions>]
 *   subject  := any-user | any-group | service <name>[, <name>]
 *             | group|dynamic-group <name> | group|dynamic-group id <ocid> [, ...]
 *   location := tenancy | compartment <name>[:<name>...] | compartment id <ocid>
 *   Define tenancy|group|dynamic-group <alias> as <ocid>
 *   Endorse|Admit ... to ... in ...     (cross-tenancy, checked loosely)
 */

export type StatementLocation = { kind: "tenancy" } | { kind: "compartmentPath"; path: string[] } | { kind: "compartmentId"; id: string };

export interface ParsedStatement {
  effect: "allow" | "deny" | "define" | "endorse" | "admit";
  subjects: string[];
  verb?: string;
  resourceType?: string;
  permissions?: string[];
  location?: StatementLocation;
  where?: string;
}

export type ParseResult = { ok: true; statement: ParsedStatement } | { ok: false; reason: string };

const VERBS = new Set(["inspect", "read", "use", "manage"]);
const OCID_RE = /^ocid1\.[a-z0-9_-]+\.[a-z0-9_-]+\.[a-z0-9_-]*\.[a-z0-9._-]+$/i;
const NAME_RE = /^[A-Za-z0-9._\-'"/]+$/;
const COMPARTMENT_SEGMENT_RE = /^[A-Za-z0-9._-]+$/;
const RESOURCE_TYPE_RE = /^[a-z][a-z0-9-]*$/i;
const PERMISSION_RE = /^[A-Z][A-Z0-9_]*$/;

interface Token {
  text: string;
  at: number;
}

/** Splits on whitespace and commas, keeping quoted strings and {…} permission lists together. */
function tokenize(s: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === ",") {
      out.push({ text: ",", at: i });
      i++;
      continue;
    }
    if (c === "{") {
      const end = s.indexOf("}", i);
      if (end < 0) return `unbalanced '{' at char ${i + 1}`;
      out.push({ text: s.slice(i, end + 1), at: i });
      i = end + 1;
      continue;
    }
    const start = i;
    while (i < s.length && !/[\s,{]/.test(s[i] as string)) {
      const q = s[i];
      if (q === "'" || q === '"') {
        const end = s.indexOf(q, i + 1);
        if (end < 0) return `unterminated quote at char ${i + 1}`;
        i = end + 1;
      } else i++;
    }
    out.push({ text: s.slice(start, i), at: start });
  }
  return out;
}

class Cursor {
  i = 0;
  constructor(readonly toks: Token[]) {}
  peek(): Token | undefined {
    return this.toks[this.i];
  }
  next(): Token | undefined {
    return this.toks[this.i++];
  }
  is(word: string): boolean {
    return this.peek()?.text.toLowerCase() === word;
  }
  fail(expected: string): ParseResult {
    const t = this.peek();
    return {
      ok: false,
      reason: t ? `expected ${expected} but found '${t.text}' at char ${t.at + 1}` : `expected ${expected} but the statement ended`,
    };
  }
}

function parseSubjects(c: Cursor): string[] | ParseResult {
  const subjects: string[] = [];
  const first = c.peek()?.text.toLowerCase();
  if (first === "any-user" || first === "any-group") {
    c.next();
    return [first];
  }
  if (first === "service") {
    c.next();
    for (;;) {
      const t = c.next();
      if (!t || !NAME_RE.test(t.text)) return c.fail("a service name");
      subjects.push(`service ${t.text}`);
      if (!c.is(",")) break;
      c.next();
    }
    return subjects;
  }
  if (first === "resource") {
    c.next();
    const type = c.next();
    const name = c.next();
    if (!type || !name || !NAME_RE.test(name.text)) return c.fail("a resource principal type and name");
    return [`resource ${type.text} ${name.text}`];
  }
  let kind = first;
  if (kind !== "group" && kind !== "dynamic-group") return c.fail("group, dynamic-group, any-user, any-group or service");
  c.next();
  for (;;) {
    if (c.is("id")) {
      c.next();
      const t = c.next();
      if (!t || !OCID_RE.test(t.text)) return c.fail("an OCID");
      subjects.push(`${kind} id ${t.text}`);
    } else {
      const t = c.next();
      if (!t || !NAME_RE.test(t.text) || ["to", "id"].includes(t.text.toLowerCase())) return c.fail(`a ${kind} name`);
      subjects.push(`${kind} ${t.text}`);
    }
    if (!c.is(",")) break;
    c.next();
    if (c.is("group") || c.is("dynamic-group")) kind = c.next()?.text.toLowerCase();
  }
  return subjects;
}

function parseLocation(c: Cursor): StatementLocation | ParseResult {
  if (c.is("tenancy")) {
    c.next();
    return { kind: "tenancy" };
  }
  if (!c.is("compartment")) return c.fail("'tenancy' or 'compartment'");
  c.next();
  if (c.is("id")) {
    c.next();
    const t = c.next();
    if (!t || !OCID_RE.test(t.text)) return c.fail("a compartment OCID");
    return { kind: "compartmentId", id: t.text };
  }
  const t = c.next();
  if (!t) return c.fail("a compartment name");
  const path = t.text.split(":");
  if (path.some((p) => !COMPARTMENT_SEGMENT_RE.test(p))) {
    return { ok: false, reason: `invalid compartment name '${t.text}' at char ${t.at + 1}` };
  }
  return { kind: "compartmentPath", path };
}

function isResult(x: unknown): x is ParseResult {
  return typeof x === "object" && x !== null && "ok" in x;
}

export function parseStatement(text: string): ParseResult {
  if (typeof text !== "string" || !text.trim()) return { ok: false, reason: "the statement is empty" };
  if (text.length > 4096) return { ok: false, reason: "the statement is longer than 4096 characters" };
  const toks = tokenize(text);
  if (typeof toks === "string") return { ok: false, reason: toks };
  const c = new Cursor(toks);
  const head = c.next()?.text.toLowerCase();

  if (head === "define") {
    const kind = c.next()?.text.toLowerCase();
    if (kind !== "tenancy" && kind !== "group" && kind !== "dynamic-group") {
      c.i--;
      return c.fail("tenancy, group or dynamic-group");
    }
    const alias = c.next();
    if (!alias || !NAME_RE.test(alias.text)) return c.fail("an alias");
    if (!c.is("as")) return c.fail("'as'");
    c.next();
    const id = c.next();
    if (!id || !OCID_RE.test(id.text)) return c.fail("an OCID");
    if (c.peek()) return c.fail("the end of the statement");
    return { ok: true, statement: { effect: "define", subjects: [`${kind} ${alias.text}`] } };
  }

  if (head === "endorse" || head === "admit") {
    const words = toks.map((t) => t.text.toLowerCase());
    const to = words.indexOf("to");
    const inAt = words.lastIndexOf("in");
    if (to < 2 || inAt < to + 2 || inAt === words.length - 1) {
      return { ok: false, reason: `a cross-tenancy ${head} statement needs '<subject> to <verb> <resource> in <tenancy>'` };
    }
    return { ok: true, statement: { effect: head, subjects: [words.slice(1, to).join(" ")] } };
  }

  if (head !== "allow" && head !== "deny") {
    c.i = 0;
    return c.fail("'Allow', 'Deny', 'Define', 'Endorse' or 'Admit'");
  }
  const subjects = parseSubjects(c);
  if (isResult(subjects)) return subjects;
  if (!c.is("to")) return c.fail("'to'");
  c.next();

  const st: ParsedStatement = { effect: head, subjects };
  const verbTok = c.next();
  if (!verbTok) return c.fail("a verb or a {PERMISSION} list");
  if (verbTok.text.startsWith("{")) {
    const perms = verbTok.text
      .slice(1, -1)
      .split(",")
      .map((p) => p.trim());
    if (!perms.length || perms.some((p) => !PERMISSION_RE.test(p))) {
      return { ok: false, reason: `invalid permission list '${verbTok.text}' at char ${verbTok.at + 1}` };
    }
    st.permissions = perms;
  } else {
    const verb = verbTok.text.toLowerCase();
    if (!VERBS.has(verb)) {
      return { ok: false, reason: `unknown verb '${verbTok.text}' at char ${verbTok.at + 1} (expected inspect, read, use or manage)` };
    }
    st.verb = verb;
    const rt = c.next();
    if (!rt || !RESOURCE_TYPE_RE.test(rt.text) || rt.text.toLowerCase() === "in") {
      if (rt) c.i--;
      return c.fail("a resource type");
    }
    st.resourceType = rt.text.toLowerCase();
  }
  if (!c.is("in")) return c.fail("'in'");
  c.next();
  const loc = parseLocation(c);
  if (isResult(loc)) return loc;
  st.location = loc;
  if (c.peek()) {
    if (!c.is("where")) return c.fail("'where' or the end of the statement");
    const w = c.next() as Token;
    if (!c.peek()) return c.fail("a condition after 'where'");
    const cond = text.slice(w.at + w.text.length).trim();
    let depth = 0;
    for (const ch of cond) {
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      if (depth < 0) break;
    }
    if (depth !== 0) return { ok: false, reason: "unbalanced parentheses in the where clause" };
    st.where = cond;
  }
  return { ok: true, statement: st };
}

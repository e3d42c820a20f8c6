/**
 * Label expressions select nodes by their (inherited) labels, e.g.
 *   env=prod and not data=public
 *   env in (prod, staging) or owner=payments
 *   agent            (the label exists)
 *   env != sandbox
 * Grammar (case-insensitive keywords, left-assoc):
 *   expr := or ; or := and ("or" and)* ; and := not ("and" not)* ; not := "not" not | atom
 *   atom := "(" expr ")" | key [("=" | "!=") value | ["not"] "in" "(" value ("," value)* ")"]
 * Keys/values: [A-Za-z0-9_.:/@-]+ or a "double-quoted string". Bounded to 1,000 characters.
 */
import { AppError } from "../common/errors.ts";

export type LabelExpr =
  | { op: "and" | "or"; left: LabelExpr; right: LabelExpr }
  | { op: "not"; expr: LabelExpr }
  | { op: "eq" | "ne"; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "has"; key: string };

const MAX_LABEL_EXPRESSION = 1000;

type Tok = { t: "word" | "str" | "(" | ")" | "," | "=" | "!="; v: string; pos: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, v: c, pos: i++ });
    } else if (c === "=") {
      out.push({ t: "=", v: "=", pos: i });
      i += src[i + 1] === "=" ? 2 : 1;
    } else if (c === "!" && src[i + 1] === "=") {
      out.push({ t: "!=", v: "!=", pos: i });
      i += 2;
    } else if (c === '"') {
      const start = i++;
      let v = "";
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\" && i + 1 < src.length) i++;
        v += src[i++];
      }
      if (i >= src.length) throw syntax(`unterminated string starting at position ${start + 1}`);
      i++;
      out.push({ t: "str", v, pos: start });
    } else {
      const m = /^[A-Za-z0-9_.:/@*-]+/.exec(src.slice(i));
      if (!m) throw syntax(`unexpected character "${c}" at position ${i + 1}`);
      out.push({ t: "word", v: m[0], pos: i });
      i += m[0].length;
    }
  }
  return out;
}

function syntax(message: string): AppError {
  return new AppError("validation", `scope.labels: ${message}`, [{ field: "scope.labels", message }]);
}

export function parseLabelExpression(src: string): LabelExpr {
  if (src.length > MAX_LABEL_EXPRESSION) throw syntax(`is longer than ${MAX_LABEL_EXPRESSION} characters`);
  if (!src.trim()) throw syntax("is empty");
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isKw = (t: Tok | undefined, kw: string) => t?.t === "word" && t.v.toLowerCase() === kw;
  const expectTok = (type: Tok["t"], what: string): Tok => {
    const t = toks[p];
    if (!t || t.t !== type) throw syntax(`expected ${what} ${t ? `at position ${t.pos + 1}, got "${t.v}"` : "at the end"}`);
    p++;
    return t;
  };
  const value = (): string => {
    const t = toks[p];
    if (!t || (t.t !== "word" && t.t !== "str")) throw syntax(`expected a value ${t ? `at position ${t.pos + 1}` : "at the end"}`);
    p++;
    return t.v;
  };
  let depth = 0;
  const orExpr = (): LabelExpr => {
    let left = andExpr();
    while (isKw(peek(), "or")) {
      p++;
      left = { op: "or", left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): LabelExpr => {
    let left = notExpr();
    while (isKw(peek(), "and")) {
      p++;
      left = { op: "and", left, right: notExpr() };
    }
    return left;
  };
  const notExpr = (): LabelExpr => {
    if (isKw(peek(), "not")) {
      p++;
      return { op: "not", expr: notExpr() };
    }
    return atom();
  };
  const atom = (): LabelExpr => {
    const t = peek();
    if (!t) throw syntax("ends where a label was expected");
    if (t.t === "(") {
      if (++depth > 32) throw syntax("nests too deeply");
      p++;
      const e = orExpr();
      expectTok(")", '")"');
      depth--;
      return e;
    }
    if (t.t !== "word" && t.t !== "str") throw syntax(`expected a label at position ${t.pos + 1}, got "${t.v}"`);
    if (t.t === "word" && ["and", "or", "not", "in"].includes(t.v.toLowerCase()))
      throw syntax(`expected a label at position ${t.pos + 1}, got the keyword "${t.v}"`);
    p++;
    const key = t.v;
    const next = peek();
    if (next?.t === "=") {
      p++;
      return { op: "eq", key, value: value() };
    }
    if (next?.t === "!=") {
      p++;
      return { op: "ne", key, value: value() };
    }
    const negated = isKw(next, "not") && isKw(toks[p + 1], "in");
    if (negated) p++;
    if (isKw(peek(), "in")) {
      p++;
      expectTok("(", '"(" after "in"');
      const values = [value()];
      while (peek()?.t === ",") {
        p++;
        values.push(value());
      }
      expectTok(")", '")" closing the list');
      return { op: negated ? "notin" : "in", key, values };
    }
    return { op: "has", key };
  };
  const e = orExpr();
  const rest = peek();
  if (rest) throw syntax(`unexpected "${rest.v}" at position ${rest.pos + 1}`);
  return e;
}

export function matchLabels(e: LabelExpr, labels: Readonly<Record<string, string>>): boolean {
  switch (e.op) {
    case "and":
      return matchLabels(e.left, labels) && matchLabels(e.right, labels);
    case "or":
      return matchLabels(e.left, labels) || matchLabels(e.right, labels);
    case "not":
      return !matchLabels(e.expr, labels);
    case "eq":
      return labels[e.key] === e.value;
    case "ne":
      return labels[e.key] !== e.value;
    case "in":
      return e.values.includes(labels[e.key] ?? "\u0000");
    case "notin":
      return !e.values.includes(labels[e.key] ?? "\u0000");
    case "has":
      return Object.prototype.hasOwnProperty.call(labels, e.key);
  }
}

/**
 * Turns a control's parameter JSON Schema (zod's `toJSONSchema` output) into form fields, and form
 * text back into typed values. Covers what the catalog uses: booleans, strings (patterns, enums),
 * numbers, arrays of strings or enum values; anything else is edited as JSON so no parameter is
 * ever unreachable from the UI.
 */
/** The subset of JSON Schema the parameter forms read (a control's `paramsSchema` is zod's `toJSONSchema` output). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

export type ParamField =
  | { kind: "boolean"; name: string; label: string; help?: string }
  | { kind: "string"; name: string; label: string; help?: string; pattern?: string; minLength?: number; maxLength?: number }
  | { kind: "enum"; name: string; label: string; help?: string; options: string[] }
  | { kind: "number"; name: string; label: string; help?: string; integer: boolean; min?: number; max?: number }
  | {
      kind: "string-list";
      name: string;
      label: string;
      help?: string;
      pattern?: string;
      minItems?: number;
      maxItems?: number;
      itemMax?: number;
    }
  | { kind: "enum-list"; name: string; label: string; help?: string; options: string[]; minItems?: number }
  | { kind: "json"; name: string; label: string; help?: string };

/** "additionalAwsActions" → "Additional AWS actions". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .split(/\s+/);
  const ACR = new Set(["aws", "gcp", "oci", "arn", "id", "ids", "iam", "mcp", "cmek", "kms"]);
  return words
    .map((w, i) => {
      const l = w.toLowerCase();
      if (ACR.has(l)) return l === "ids" ? "IDs" : l.toUpperCase();
      return i === 0 ? l.charAt(0).toUpperCase() + l.slice(1) : l;
    })
    .join(" ");
}

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null");
  return s.type;
}

function stringEnum(s: JsonSchema | undefined): string[] | null {
  if (!s) return null;
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) return s.enum;
  return null;
}

export function fieldsFromSchema(schema: JsonSchema | undefined): ParamField[] {
  const props = schema?.properties ?? {};
  return Object.entries(props).map(([name, s]): ParamField => {
    const label = s.title ?? humanize(name);
    const help = s.description;
    const t = typeOf(s);
    const en = stringEnum(s);
    if (t === "boolean") return { kind: "boolean", name, label, help };
    if (en) return { kind: "enum", name, label, help, options: en };
    if (t === "string") return { kind: "string", name, label, help, pattern: s.pattern, minLength: s.minLength, maxLength: s.maxLength };
    if (t === "number" || t === "integer")
      return { kind: "number", name, label, help, integer: t === "integer", min: s.minimum, max: s.maximum };
    if (t === "array" && s.items) {
      const ie = stringEnum(s.items);
      if (ie) return { kind: "enum-list", name, label, help, options: ie, minItems: s.minItems };
      if (typeOf(s.items) === "string")
        return {
          kind: "string-list",
          name,
          label,
          help,
          pattern: s.items.pattern,
          minItems: s.minItems,
          maxItems: s.maxItems,
          itemMax: s.items.maxLength,
        };
    }
    return { kind: "json", name, label, help };
  });
}

/** The text a field shows for a value. */
export function toText(f: ParamField, v: unknown): string {
  if (f.kind === "string-list") return Array.isArray(v) ? v.join("\n") : "";
  if (f.kind === "json") return v === undefined ? "" : JSON.stringify(v, null, 2);
  if (f.kind === "number") return typeof v === "number" ? String(v) : "";
  return typeof v === "string" ? v : "";
}

/** Parses one field's text; returns the value or a message naming what is wrong. */
export function fromText(f: ParamField, text: string): { value: unknown } | { error: string } {
  switch (f.kind) {
    case "string": {
      if (f.minLength !== undefined && text.length < f.minLength)
        return { error: f.minLength === 1 ? "is required" : `needs at least ${f.minLength} characters` };
      if (f.maxLength !== undefined && text.length > f.maxLength) return { error: `must be at most ${f.maxLength} characters` };
      if (f.pattern && text && !safeRegex(f.pattern)?.test(text)) return { error: `"${text}" does not match the expected format` };
      return { value: text };
    }
    case "number": {
      if (!text.trim()) return { error: "is required" };
      const n = Number(text);
      if (!Number.isFinite(n) || (f.integer && !Number.isInteger(n)))
        return { error: `"${text}" is not ${f.integer ? "a whole number" : "a number"}` };
      if (f.min !== undefined && n < f.min) return { error: `must be at least ${f.min}` };
      if (f.max !== undefined && n > f.max) return { error: `must be at most ${f.max}` };
      return { value: n };
    }
    case "string-list": {
      const items = text
        .split(/[\n,]/)
        .map((x) => x.trim())
        .filter(Boolean);
      if (f.minItems !== undefined && items.length < f.minItems)
        return { error: `needs at least ${f.minItems} entr${f.minItems === 1 ? "y" : "ies"}` };
      if (f.maxItems !== undefined && items.length > f.maxItems) return { error: `takes at most ${f.maxItems} entries` };
      const re = f.pattern ? safeRegex(f.pattern) : null;
      const bad = items.find((i) => (re && !re.test(i)) || (f.itemMax !== undefined && i.length > f.itemMax));
      if (bad !== undefined) return { error: `"${bad}" is not in the expected format` };
      return { value: items };
    }
    case "json": {
      if (!text.trim()) return { value: undefined };
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: "is not valid JSON" };
      }
    }
    default:
      return { value: text };
  }
}

function safeRegex(p: string): RegExp | null {
  try {
    return new RegExp(p, "u");
  } catch {
    try {
      return new RegExp(p);
    } catch {
      return null;
    }
  }
}

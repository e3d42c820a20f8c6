import { badRequest, invalidContent, type ArmError } from "./errors.ts";

/**
 * Structural validation of what ARM validates on write: policy rules (if/then with a known effect,
 * well-formed conditions), parameter declarations and references, resource names and string lengths.
 * Messages follow ARM's style so a client's error mapping is exercised as in real Azure.
 */

const EFFECTS = [
  "addtonetworkgroup",
  "append",
  "audit",
  "auditifnotexists",
  "deny",
  "denyaction",
  "deployifnotexists",
  "disabled",
  "manual",
  "modify",
  "mutate",
];

const CONDITIONS = [
  "equals",
  "notequals",
  "like",
  "notlike",
  "match",
  "matchinsensitively",
  "notmatch",
  "notmatchinsensitively",
  "contains",
  "notcontains",
  "in",
  "notin",
  "containskey",
  "notcontainskey",
  "less",
  "lessorequals",
  "greater",
  "greaterorequals",
  "exists",
];

const MODES = ["all", "indexed"];
const PARAMETER_TYPES = ["string", "array", "object", "boolean", "integer", "float", "datetime"];

/** Renders any JSON value for an error message. */
export function show(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "undefined");
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Case-insensitive property lookup: ARM deserializes JSON members case-insensitively. */
export function prop(o: Record<string, unknown>, key: string): unknown {
  if (key in o) return o[key];
  const k = key.toLowerCase();
  for (const [name, v] of Object.entries(o)) if (name.toLowerCase() === k) return v;
  return undefined;
}

function ruleError(name: string, detail: string): ArmError {
  return badRequest("InvalidPolicyRule", `Failed to parse policy rule of policy definition '${name}': '${detail}'.`);
}

function validateCondition(name: string, c: unknown, path: string, depth: number): void {
  if (depth > 64) throw ruleError(name, `The policy rule is nested too deeply at '${path}'`);
  if (!isObject(c)) throw ruleError(name, `The condition at '${path}' must be a JSON object`);
  const keys = Object.keys(c).map((k) => k.toLowerCase());
  const logical = keys.filter((k) => k === "allof" || k === "anyof" || k === "not");
  if (logical.length > 1 || (logical.length === 1 && keys.length > 1)) {
    throw ruleError(name, `The condition at '${path}' mixes a logical operator with other members`);
  }
  if (logical.length === 1) {
    const op = logical[0]!;
    const v = prop(c, op);
    if (op === "not") return validateCondition(name, v, `${path}.not`, depth + 1);
    if (!Array.isArray(v) || v.length === 0) {
      throw ruleError(name, `The '${op === "allof" ? "allOf" : "anyOf"}' at '${path}' must be a non-empty array`);
    }
    v.forEach((x, i) => validateCondition(name, x, `${path}.${op}[${i}]`, depth + 1));
    return;
  }
  const subjects = keys.filter((k) => k === "field" || k === "value" || k === "count");
  if (subjects.length !== 1) {
    throw ruleError(name, `The condition at '${path}' must have exactly one of 'field', 'value' or 'count'`);
  }
  const ops = keys.filter((k) => CONDITIONS.includes(k));
  if (ops.length !== 1) {
    throw ruleError(name, `The condition at '${path}' must have exactly one operator of '${CONDITIONS.join("', '")}'`);
  }
  const unknown = keys.filter((k) => !CONDITIONS.includes(k) && k !== subjects[0]);
  if (subjects[0] === "count") {
    const count = prop(c, "count");
    if (!isObject(count)) throw ruleError(name, `The 'count' at '${path}' must be an object`);
    const where = prop(count, "where");
    if (where !== undefined) validateCondition(name, where, `${path}.count.where`, depth + 1);
  }
  if (unknown.length) throw ruleError(name, `Could not find member '${unknown[0]}' on the condition at '${path}'`);
}

export function validatePolicyRule(name: string, rule: unknown, declared: Set<string>): void {
  if (!isObject(rule)) throw ruleError(name, "The policy rule must be a JSON object with 'if' and 'then' sections");
  const cond = prop(rule, "if");
  const then = prop(rule, "then");
  if (cond === undefined) throw ruleError(name, "The policy rule is missing the required 'if' section");
  if (then === undefined) throw ruleError(name, "The policy rule is missing the required 'then' section");
  const extra = Object.keys(rule).filter((k) => !["if", "then"].includes(k.toLowerCase()));
  if (extra.length) throw ruleError(name, `Could not find member '${extra[0]}' on object of type 'PolicyRule'`);
  validateCondition(name, cond, "if", 0);
  if (!isObject(then)) throw ruleError(name, "The 'then' section must be a JSON object");
  const effect = prop(then, "effect");
  if (typeof effect !== "string" || effect.length === 0) {
    throw ruleError(name, "The 'then' section is missing the required 'effect'");
  }
  if (!/^\[parameters\('.+'\)\]$/i.test(effect) && !EFFECTS.includes(effect.toLowerCase())) {
    throw badRequest(
      "InvalidPolicyRule",
      `The policy definition '${name}' has an invalid effect '${effect}'. Allowed effects are '${EFFECTS.join("', '")}'.`,
    );
  }
  for (const ref of parameterReferences(rule)) {
    if (!declared.has(ref.toLowerCase())) {
      throw badRequest(
        "UndefinedPolicyParameter",
        `The policy definition '${name}' has an undefined parameter '${ref}'. The parameter must be declared in the 'parameters' section.`,
      );
    }
  }
}

/** Names used in `[parameters('x')]` expressions anywhere in a rule. */
function parameterReferences(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === "string") {
    for (const m of v.matchAll(/parameters\(\s*'([^']+)'\s*\)/gi)) out.add(m[1]!);
  } else if (Array.isArray(v)) {
    for (const x of v) parameterReferences(x, out);
  } else if (isObject(v)) {
    for (const x of Object.values(v)) parameterReferences(x, out);
  }
  return out;
}

/** Validates a `parameters` declaration block and returns the declared names (lower-cased). */
export function validateParameterDeclarations(owner: string, params: unknown, maxCount: number): Set<string> {
  const names = new Set<string>();
  if (params === undefined || params === null) return names;
  if (!isObject(params)) throw invalidContent(`The 'parameters' of '${owner}' must be an object`);
  const entries = Object.entries(params);
  if (entries.length > maxCount) {
    throw badRequest(
      "PolicyParametersLimitExceeded",
      `The policy '${owner}' has ${entries.length} parameters, which exceeds the maximum of ${maxCount} parameters.`,
    );
  }
  for (const [k, v] of entries) {
    if (!isObject(v)) throw invalidContent(`The parameter '${k}' of '${owner}' must be an object`);
    const type = prop(v, "type");
    if (typeof type !== "string" || !PARAMETER_TYPES.includes(type.toLowerCase())) {
      throw badRequest(
        "InvalidPolicyParameterType",
        `The parameter '${k}' of '${owner}' has an invalid type '${String(type)}'. Allowed types are 'String', 'Array', 'Object', 'Boolean', 'Integer', 'Float', 'DateTime'.`,
      );
    }
    const allowed = prop(v, "allowedValues");
    if (allowed !== undefined && !Array.isArray(allowed)) {
      throw invalidContent(`The 'allowedValues' of parameter '${k}' of '${owner}' must be an array`);
    }
    names.add(k.toLowerCase());
  }
  return names;
}

export function validateMode(name: string, mode: unknown): void {
  if (mode === undefined) return;
  if (typeof mode !== "string") throw invalidContent(`The 'mode' of policy definition '${name}' must be a string`);
  // Resource provider modes look like Microsoft.Kubernetes.Data.
  if (MODES.includes(mode.toLowerCase()) || /^Microsoft\.[A-Za-z]+\.Data$/i.test(mode)) return;
  throw badRequest(
    "InvalidPolicyMode",
    `The policy definition '${name}' has an invalid mode '${mode}'. Allowed modes are 'All', 'Indexed' and resource provider modes.`,
  );
}

const INVALID_NAME_CHARS = /[<>*%&:\\?/+#|]/;

export function validateResourceName(kind: string, name: string, maxLength: number, code: string): void {
  if (
    name.length === 0 ||
    name.length > maxLength ||
    INVALID_NAME_CHARS.test(name) ||
    name.endsWith(".") ||
    name.endsWith(" ") ||
    [...name].some((ch) => ch.charCodeAt(0) < 32)
  ) {
    throw badRequest(
      code,
      `The ${kind} name '${name}' is invalid. The name must be 1 to ${maxLength} characters long, must not end with a period or a space and must not contain '<', '>', '*', '%', '&', ':', '\\', '?', '/', '+', '#', '|' or control characters.`,
    );
  }
}

export function optionalString(owner: string, field: string, v: unknown, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidContent(`Error converting value to type 'String'. Path 'properties.${field}'`);
  if (v.length > max) {
    throw badRequest(
      "InvalidRequestContent",
      `The '${field}' of '${owner}' is ${v.length} characters long; the maximum is ${max} characters.`,
    );
  }
  return v;
}

/** Checks supplied assignment parameter values against the definition's declarations. */
export function validateParameterValues(
  assignment: string,
  definitionId: string,
  declared: Record<string, unknown>,
  supplied: unknown,
): void {
  if (supplied !== undefined && supplied !== null && !isObject(supplied)) {
    throw invalidContent(`The 'parameters' of policy assignment '${assignment}' must be an object`);
  }
  const values = supplied ?? {};
  const decl = new Map(Object.entries(declared).map(([k, v]) => [k.toLowerCase(), { k, v }]));
  for (const [k, v] of Object.entries(values)) {
    const d = decl.get(k.toLowerCase());
    if (!d) {
      throw badRequest(
        "UndefinedPolicyParameter",
        `The policy assignment '${assignment}' has a parameter '${k}' which is not defined in the policy definition '${definitionId}'.`,
      );
    }
    if (!isObject(v) || !("value" in v)) {
      throw invalidContent(`The parameter '${k}' of policy assignment '${assignment}' must be an object with a 'value'`);
    }
    const allowed = isObject(d.v) ? prop(d.v, "allowedValues") : undefined;
    if (Array.isArray(allowed)) {
      const val = v.value;
      const candidates = Array.isArray(val) ? val : [val];
      const ok = candidates.every((c) =>
        allowed.some((a) =>
          typeof a === "string" && typeof c === "string" ? a.toLowerCase() === c.toLowerCase() : JSON.stringify(a) === JSON.stringify(c),
        ),
      );
      if (!ok) {
        throw badRequest(
          "InvalidPolicyParameterValue",
          `The value of parameter '${k}' of policy assignment '${assignment}' is not allowed. Allowed values are '${allowed.map((a) => JSON.stringify(a)).join("', '")}'.`,
        );
      }
    }
  }
  for (const { k, v } of decl.values()) {
    const supplied = Object.keys(values).some((x) => x.toLowerCase() === k.toLowerCase());
    if (!supplied && !(isObject(v) && prop(v, "defaultValue") !== undefined)) {
      throw badRequest(
        "MissingPolicyParameter",
        `The policy assignment '${assignment}' has a missing parameter '${k}' defined in the policy definition '${definitionId}'.`,
      );
    }
  }
}

/** Whether the rule's effect is denyAction, literally or as a parameter that can take that value. */
function mayBeDenyAction(effect: unknown, parameters: unknown): boolean {
  if (typeof effect !== "string") return false;
  if (effect.toLowerCase() === "denyaction") return true;
  const ref = /^\[parameters\('(.+)'\)\]$/i.exec(effect)?.[1];
  if (!ref || !isObject(parameters)) return false;
  const decl = prop(parameters, ref);
  if (!isObject(decl)) return false;
  const values = [
    prop(decl, "defaultValue"),
    ...(Array.isArray(prop(decl, "allowedValues")) ? (prop(decl, "allowedValues") as unknown[]) : []),
  ];
  return values.some((v) => typeof v === "string" && v.toLowerCase() === "denyaction");
}

/**
 * denyAction's details, as "Azure Policy definitions denyAction effect" documents them
 * (learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action): `actionNames` is required
 * and `delete` is the only supported action; `cascadeBehaviors` is supported only in definitions whose
 * mode is Indexed, and `cascadeBehaviors.resourceGroup` is `allow` or `deny`. ARM refuses the definition
 * otherwise with its policy-rule validation error (`InvalidPolicyRule`).
 */
export function validateDenyAction(name: string, mode: unknown, rule: unknown, parameters: unknown): void {
  if (!isObject(rule)) return;
  const then = prop(rule, "then");
  if (!isObject(then) || !mayBeDenyAction(prop(then, "effect"), parameters)) return;
  const details = prop(then, "details");
  if (!isObject(details)) throw ruleError(name, "The 'denyAction' effect requires 'details' with 'actionNames'");
  const actions = prop(details, "actionNames");
  if (!Array.isArray(actions) || actions.length === 0) {
    throw ruleError(name, "The 'details.actionNames' of the 'denyAction' effect must be a non-empty array");
  }
  for (const a of actions) {
    if (typeof a !== "string" || a.toLowerCase() !== "delete") {
      throw ruleError(
        name,
        `The action name '${show(a)}' in 'details.actionNames' is not supported by the 'denyAction' effect. Supported action names are 'delete'`,
      );
    }
  }
  const cascade = prop(details, "cascadeBehaviors");
  if (cascade === undefined) return;
  if (typeof mode !== "string" || mode.toLowerCase() !== "indexed") {
    throw ruleError(
      name,
      `The 'details.cascadeBehaviors' of the 'denyAction' effect is supported only in policy definitions with mode 'Indexed'; the mode is '${show(mode)}'`,
    );
  }
  if (!isObject(cascade)) throw ruleError(name, "The 'details.cascadeBehaviors' of the 'denyAction' effect must be an object");
  for (const [k, v] of Object.entries(cascade)) {
    if (k.toLowerCase() !== "resourcegroup") {
      throw ruleError(name, `Could not find member '${k}' on object of type 'CascadeBehaviors'`);
    }
    if (typeof v !== "string" || !["allow", "deny"].includes(v.toLowerCase())) {
      throw ruleError(
        name,
        `The 'details.cascadeBehaviors.resourceGroup' value '${show(v)}' is not allowed. Allowed values are 'allow', 'deny'`,
      );
    }
  }
}

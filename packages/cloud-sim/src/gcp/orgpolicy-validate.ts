import type { GcpCore } from "./core.ts";
import { invalid, notFound } from "./errors.ts";
import { type OrgPolicy, type PolicyRule, type PolicySpec, newEtag, now } from "./model.ts";
import { type ConstraintInfo, constraintInfo, policyWire } from "./orgpolicy-common.ts";
import { type Json, obj, optBool, optExpr, optStr, strArr } from "./wire.ts";

// ---------------------------------------------------------------- validation

interface ParsedSpec {
  etag?: string;
  rules: PolicyRule[];
  inheritFromParent: boolean;
  reset: boolean;
}

function parseSpec(v: unknown, field: string, c: ConstraintInfo, limits: { rulesPerPolicy: number }): ParsedSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  const rulesRaw = o.rules ?? [];
  if (!Array.isArray(rulesRaw)) throw invalid(`Invalid value at '${field}.rules': expected a list.`, `${field}.rules`);
  const spec: ParsedSpec = {
    etag: optStr(o, "etag", `${field}.etag`),
    inheritFromParent: optBool(o, "inheritFromParent", `${field}.inherit_from_parent`) ?? false,
    reset: optBool(o, "reset", `${field}.reset`) ?? false,
    rules: [],
  };
  if (rulesRaw.length > limits.rulesPerPolicy) {
    throw invalid(`${field}.rules: at most ${limits.rulesPerPolicy} rules are allowed, got ${rulesRaw.length}.`, `${field}.rules`);
  }
  rulesRaw.forEach((raw, i) => {
    const rf = `${field}.rules[${i}]`;
    const r = obj(raw, rf);
    const rule: PolicyRule = {};
    const kinds: string[] = [];
    if (r.values !== undefined && r.values !== null) {
      const vo = obj(r.values, `${rf}.values`);
      rule.values = {
        allowedValues: strArr(vo, "allowedValues", `${rf}.values.allowed_values`),
        deniedValues: strArr(vo, "deniedValues", `${rf}.values.denied_values`),
      };
      kinds.push("values");
    }
    for (const k of ["allowAll", "denyAll", "enforce"] as const) {
      const b = optBool(r, k, `${rf}.${k}`);
      if (b !== undefined) {
        rule[k] = b;
        kinds.push(k);
      }
    }
    if (kinds.length > 1) throw invalid(`${rf}: only one of values, allow_all, deny_all, enforce may be set.`, rf);
    const cond = optExpr(r.condition, `${rf}.condition`);
    if (cond) {
      if (!cond.expression) throw invalid(`${rf}.condition.expression must not be empty.`, `${rf}.condition.expression`);
      rule.condition = cond;
    }
    if (c.kind === "boolean") {
      if (rule.enforce === undefined) {
        throw invalid(`${rf}: policies for boolean constraint ${c.id} must set 'enforce'.`, rf);
      }
    } else {
      if (rule.enforce !== undefined) {
        throw invalid(`${rf}: 'enforce' can only be set for boolean constraints; ${c.id} is a list constraint.`, rf);
      }
      if (kinds.length === 0) throw invalid(`${rf}: one of values, allow_all or deny_all must be set.`, rf);
      if (rule.values) {
        const all = [...(rule.values.allowedValues ?? []), ...(rule.values.deniedValues ?? [])];
        if (all.length === 0) throw invalid(`${rf}.values: at least one allowed or denied value is required.`, `${rf}.values`);
        for (const val of all) {
          if (val.startsWith("under:") && !c.supportsUnder) {
            throw invalid(`${rf}.values: constraint ${c.id} does not support 'under:' values ("${val}").`, `${rf}.values`);
          }
          if (val.startsWith("in:") && !c.supportsIn) {
            throw invalid(`${rf}.values: constraint ${c.id} does not support 'in:' value groups ("${val}").`, `${rf}.values`);
          }
          if (val.length === 0 || val.length > 1000) throw invalid(`${rf}.values: invalid value "${val}".`, `${rf}.values`);
        }
      }
    }
    spec.rules.push(rule);
  });
  if (spec.reset && (spec.rules.length > 0 || spec.inheritFromParent)) {
    throw invalid(`${field}: when 'reset' is true, 'rules' must be empty and 'inherit_from_parent' must be false.`, field);
  }
  if (c.kind === "boolean") {
    if (spec.inheritFromParent) {
      throw invalid(
        `${field}: 'inherit_from_parent' can only be set for list constraints; ${c.id} is a boolean constraint.`,
        `${field}.inherit_from_parent`,
      );
    }
    if (!spec.reset) {
      const unconditional = spec.rules.filter((r) => !r.condition);
      if (unconditional.length !== 1) {
        throw invalid(`${field}: a boolean policy must have exactly one rule without a condition.`, `${field}.rules`);
      }
      const base = unconditional[0]?.enforce;
      if (spec.rules.some((r) => r.condition && r.enforce === base)) {
        throw invalid(`${field}: conditional rules must set 'enforce' to the opposite of the unconditional rule.`, `${field}.rules`);
      }
    }
  }
  return spec;
}

function materialize(p: ParsedSpec, t: string, key: string): PolicySpec {
  return { etag: newEtag(key), updateTime: t, rules: p.rules, inheritFromParent: p.inheritFromParent, reset: p.reset };
}

/**
 * GCP takes a dry-run policy only on constraints that support it (custom and managed constraints, and a
 * short list Google keeps): "Attempting to create an organization policy in dry-run mode using any other
 * constraint results in an error" —
 * https://cloud.google.com/resource-manager/docs/organization-policy/dry-run-policy#limitations. The
 * error is an INVALID_ARGUMENT on the request's `policy.dry_run_spec`; Google's exact wording was not
 * recorded from a real org, so the message here is ours and names the field and the constraint.
 */
export function refuseDryRun(c: ConstraintInfo): void {
  if (c.supportsDryRun) return;
  throw invalid(
    `Constraint constraints/${c.id} does not support dry-run policies; dry_run_spec can be set only for custom constraints and constraints that support dry run.`,
    "policy.dry_run_spec",
  );
}

/** Splits `{kind}/{id}/policies/{constraint}` (kind may use a project id) into canonical parts. */
export function parsePolicyName(core: GcpCore, name: string): { resource: string; constraint: string } | undefined {
  const m = /^(organizations|folders|projects)\/([^/]+)\/policies\/([^/]+)$/.exec(name);
  if (!m) return undefined;
  const resource = core.state.canonicalContainer(m[1] ?? "", m[2] ?? "");
  return resource ? { resource, constraint: m[3] ?? "" } : undefined;
}

function checkSize(core: GcpCore, p: OrgPolicy): void {
  const size = Buffer.byteLength(JSON.stringify(policyWire(p)));
  if (size > core.limits.policyBytes) {
    throw invalid(`Policy size ${size} bytes exceeds the maximum of ${core.limits.policyBytes} bytes.`, "policy");
  }
}

/**
 * Validates a policy body and builds the stored policy. `previous` keeps fields an update mask leaves
 * untouched.
 */
export function buildPolicy(
  core: GcpCore,
  resource: string,
  constraintId: string,
  body: Json,
  previous: OrgPolicy | undefined,
  mask: Set<string> | undefined,
): { policy: OrgPolicy; requestedSpecEtag?: string; requestedDryEtag?: string } {
  const c = constraintInfo(core, constraintId);
  if (!c) throw notFound(`Constraint constraints/${constraintId} was not found.`);
  const spec = parseSpec(body.spec, "policy.spec", c, core.limits);
  const dry = parseSpec(body.dryRunSpec, "policy.dry_run_spec", c, core.limits);
  const t = now();
  const key = `${resource}/${constraintId}`;
  const takeSpec = !mask || mask.has("spec");
  const takeDry = !mask || mask.has("dry_run_spec") || mask.has("dryRunSpec");
  if (dry && takeDry) refuseDryRun(c);
  const policy: OrgPolicy = {
    resource,
    constraint: constraintId,
    spec: takeSpec ? (spec ? materialize(spec, t, key) : undefined) : previous?.spec,
    dryRunSpec: takeDry ? (dry ? materialize(dry, t, key + "dry") : undefined) : previous?.dryRunSpec,
    etag: newEtag(key),
  };
  if (!policy.spec && !policy.dryRunSpec) {
    throw invalid("policy: at least one of 'spec' or 'dry_run_spec' must be set.", "policy.spec");
  }
  checkSize(core, policy);
  return { policy, requestedSpecEtag: spec?.etag, requestedDryEtag: dry?.etag };
}

export function parseMask(q: URLSearchParams): Set<string> | undefined {
  const m = q.get("updateMask");
  if (!m) return undefined;
  const paths = new Set(
    m
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const p of paths) {
    if (!["spec", "dry_run_spec", "dryRunSpec", "etag"].includes(p)) {
      throw invalid(`update_mask: unsupported field path "${p}".`, "update_mask");
    }
  }
  return paths;
}

import { isObj } from "../common/json.ts";
import { canonicalJson } from "../contract/canonical.ts";
import type { DesiredArtifact, Difference, ObservedArtifact } from "../contract/types.ts";
import { sameId, scopeKey } from "./scope.ts";
import type {
  TAzureParameterDefinition,
  TAzurePolicyAssignment,
  TAzurePolicyDefinition,
  TAzurePolicyDefinitionReference,
  TAzurePolicyExemption,
  TAzurePolicyRule,
  TAzurePolicySetDefinition,
} from "./types.ts";

/**
 * Normalisation of what ARM returns to the bodies core builds, and the field-by-field comparison
 * that classifies drift. ARM stamps createdBy/createdOn/updatedBy/updatedOn into metadata and adds
 * fields Parapet never sets (version, instanceId, systemData…): those are dropped, so a fresh read
 * of an untouched artifact always compares equal.
 */
const ARM_STAMPED_METADATA: readonly string[] = ["createdBy", "createdOn", "updatedBy", "updatedOn"];

type Json = Record<string, unknown>;

export function cleanMetadata(m: unknown): Json {
  const out: Json = {};
  if (!isObj(m)) return out;
  for (const [k, v] of Object.entries(m)) if (!ARM_STAMPED_METADATA.includes(k)) out[k] = v;
  return out;
}

/** Metadata keys someone else added (EPAC, the portal, a team's annotations): kept across Parapet's writes. */
export function foreignMetadata(observed: unknown, desired: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(cleanMetadata(observed))) if (!(k in desired)) out[k] = v;
  return out;
}

/** The flattened shape the SDK returns for a definition. */
export interface SdkDefinition {
  name?: string;
  policyType?: string;
  mode?: string;
  displayName?: string;
  description?: string;
  policyRule?: unknown;
  metadata?: unknown;
  parameters?: Record<string, unknown>;
}

export interface SdkSetDefinition {
  name?: string;
  policyType?: string;
  displayName?: string;
  description?: string;
  metadata?: unknown;
  parameters?: Record<string, unknown>;
  policyDefinitions?: Array<{
    policyDefinitionId: string;
    policyDefinitionReferenceId?: string;
    parameters?: Record<string, { value?: unknown }>;
  }>;
}

export interface SdkAssignment {
  name?: string;
  displayName?: string;
  description?: string;
  policyDefinitionId?: string;
  enforcementMode?: string;
  notScopes?: string[];
  parameters?: Record<string, { value?: unknown }>;
  metadata?: unknown;
  resourceSelectors?: unknown[];
  overrides?: Array<{ kind?: string; value?: string; selectors?: unknown[] }>;
}

/** An observed assignment: the desired shape plus the two fields that can quietly narrow it. */
export type TObservedAzureAssignment = TAzurePolicyAssignment & {
  properties: TAzurePolicyAssignment["properties"] & {
    resourceSelectors?: unknown[];
    overrides?: Array<{ kind?: string; value?: string; selectors?: unknown[] }>;
  };
};

function paramValues(p: Record<string, { value?: unknown }> | undefined): Record<string, { value: unknown }> {
  const out: Record<string, { value: unknown }> = {};
  for (const [k, v] of Object.entries(p ?? {})) out[k] = { value: v?.value };
  return out;
}

const definedOnly = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * Parameter definitions in ARM's wire shape. @azure/arm-policy 7's deserializer fills every field it
 * knows with `undefined` when absent and moves metadata keys other than displayName, description,
 * strongType and assignPermissions into `metadata.additionalProperties`: both are undone, so an
 * untouched definition compares equal.
 */
function parameterDefinitionsFromCloud(p: Record<string, unknown> | undefined): Record<string, TAzureParameterDefinition> {
  const out: Record<string, TAzureParameterDefinition> = {};
  for (const [name, raw] of Object.entries(p ?? {})) {
    if (!isObj(raw)) continue;
    const def = definedOnly(raw);
    if (isObj(def.metadata)) {
      const { additionalProperties, ...known } = def.metadata;
      def.metadata = definedOnly({ ...(isObj(additionalProperties) ? additionalProperties : {}), ...known });
    }
    out[name] = def as unknown as TAzureParameterDefinition;
  }
  return out;
}

export function definitionFromCloud(d: SdkDefinition, name: string): TAzurePolicyDefinition {
  return {
    name: d.name ?? name,
    properties: {
      policyType: (d.policyType ?? "Custom") as "Custom",
      mode: (d.mode ?? "Indexed") as "All" | "Indexed",
      displayName: d.displayName ?? "",
      description: d.description ?? "",
      policyRule: (d.policyRule ?? { if: {}, then: { effect: "" } }) as TAzurePolicyRule,
      parameters: parameterDefinitionsFromCloud(d.parameters),
      metadata: cleanMetadata(d.metadata),
    },
  };
}

export function setDefinitionFromCloud(s: SdkSetDefinition, name: string): TAzurePolicySetDefinition {
  return {
    name: s.name ?? name,
    properties: {
      policyType: (s.policyType ?? "Custom") as "Custom",
      displayName: s.displayName ?? "",
      description: s.description ?? "",
      metadata: cleanMetadata(s.metadata),
      parameters: parameterDefinitionsFromCloud(s.parameters),
      policyDefinitions: (s.policyDefinitions ?? []).map((r) => ({
        policyDefinitionId: r.policyDefinitionId,
        policyDefinitionReferenceId: r.policyDefinitionReferenceId ?? "",
        parameters: paramValues(r.parameters),
      })),
    },
  };
}

export function assignmentFromCloud(a: SdkAssignment, name: string): TObservedAzureAssignment {
  return {
    name: a.name ?? name,
    properties: {
      displayName: a.displayName ?? "",
      description: a.description ?? "",
      policyDefinitionId: a.policyDefinitionId ?? "",
      enforcementMode: a.enforcementMode === "DoNotEnforce" ? "DoNotEnforce" : "Default",
      notScopes: [...(a.notScopes ?? [])],
      parameters: paramValues(a.parameters),
      metadata: cleanMetadata(a.metadata),
      ...(a.resourceSelectors?.length ? { resourceSelectors: a.resourceSelectors } : {}),
      ...(a.overrides?.length ? { overrides: a.overrides } : {}),
    },
  };
}

/** Exemptions come from hand-written ARM calls, so they arrive in ARM's `{name, properties}` shape. */
export function exemptionFromCloud(raw: Json, name: string): TAzurePolicyExemption {
  const p = isObj(raw.properties) ? raw.properties : {};
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  const expires = str(p.expiresOn);
  return {
    name: typeof raw.name === "string" ? raw.name : name,
    properties: {
      policyAssignmentId: str(p.policyAssignmentId),
      policyDefinitionReferenceIds: Array.isArray(p.policyDefinitionReferenceIds)
        ? p.policyDefinitionReferenceIds.filter((x): x is string => typeof x === "string")
        : [],
      exemptionCategory: p.exemptionCategory === "Mitigated" ? "Mitigated" : "Waiver",
      displayName: str(p.displayName),
      description: str(p.description),
      expiresOn: expires && !Number.isNaN(Date.parse(expires)) ? new Date(expires).toISOString() : expires,
      metadata: cleanMetadata(p.metadata),
    },
  };
}

// ------------------------------------------------------------------ effects

/**
 * How much an effect protects: lower means weaker. Turning a deny into an audit, or anything into
 * disabled, removes protection; the reverse only changes behaviour.
 */
const EFFECT_STRENGTH: Record<string, number> = {
  disabled: 0,
  audit: 1,
  auditifnotexists: 1,
  manual: 1,
  append: 2,
  modify: 2,
  deployifnotexists: 2,
  deny: 3,
  denyaction: 3,
};

export function effectStrength(effect: unknown): number | undefined {
  return typeof effect === "string" ? EFFECT_STRENGTH[effect.toLowerCase()] : undefined;
}

const PARAM_EXPR = /^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$/i;

function paramName(expr: unknown): string | undefined {
  return typeof expr === "string" ? PARAM_EXPR.exec(expr)?.[1] : undefined;
}

function getCI<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  if (!rec) return undefined;
  if (key in rec) return rec[key];
  const k = Object.keys(rec).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : rec[k];
}

/** The effect a definition applies on its own: a literal, or its effect parameter's default. */
export function definitionEffect(d: TAzurePolicyDefinition): unknown {
  const e = d.properties.policyRule?.then?.effect;
  const p = paramName(e);
  return p ? getCI(d.properties.parameters, p)?.defaultValue : e;
}

// ------------------------------------------------------------------ comparison

interface Finding {
  weakens: boolean;
  text: string;
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

function show(v: unknown): string {
  const s = typeof v === "string" ? v : canonicalJson(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function result(findings: Finding[]): Difference {
  if (findings.length === 0) return { equal: true };
  const weakening = findings.filter((f) => f.weakens);
  const ordered = [...weakening, ...findings.filter((f) => !f.weakens)];
  const detail = ordered.map((f) => f.text).join("; ");
  return {
    equal: false,
    kind: weakening.length > 0 ? "weakened" : "modified",
    detail: detail.length > 600 ? `${detail.slice(0, 597)}...` : detail,
  };
}

function compareText(findings: Finding[], field: string, desired: string, observed: string): void {
  if ((desired ?? "") !== (observed ?? "")) findings.push({ weakens: false, text: `${field} changed to ${show(observed)}` });
}

/** Only the metadata keys Parapet sets are compared; annotations others add are not drift. */
function compareMetadata(findings: Finding[], desired: Json, observed: Json): void {
  const changed = Object.keys(desired).filter((k) => !same(desired[k], observed[k]));
  if (changed.length) findings.push({ weakens: false, text: `metadata ${changed.join(", ")} changed` });
}

function compareEffect(findings: Finding[], what: string, desired: unknown, observed: unknown): boolean {
  if (same(desired, observed)) return false;
  const d = effectStrength(desired);
  const o = effectStrength(observed);
  const weakens = d !== undefined && (o === undefined ? observed === undefined : o < d);
  findings.push({ weakens, text: `${what} changed from ${show(desired)} to ${show(observed ?? "(unset)")}` });
  return true;
}

export function compareDefinition(desired: TAzurePolicyDefinition, observed: TAzurePolicyDefinition): Difference {
  const f: Finding[] = [];
  const d = desired.properties;
  const o = observed.properties;
  if (d.mode !== o.mode) {
    // Indexed evaluates only types that support tags and location: fewer resources are covered.
    f.push({ weakens: d.mode === "All" && o.mode === "Indexed", text: `mode changed from ${d.mode} to ${o.mode}` });
  }
  compareEffect(f, "effect", definitionEffect(desired), definitionEffect(observed));
  if (!same(d.policyRule?.if, o.policyRule?.if)) f.push({ weakens: false, text: "policy rule condition changed" });
  const { effect: _de, ...dThen } = d.policyRule?.then ?? { effect: "" };
  const { effect: _oe, ...oThen } = o.policyRule?.then ?? { effect: "" };
  if (!same(dThen, oThen)) f.push({ weakens: false, text: `policy rule details changed to ${show(oThen)}` });
  if (!same(d.policyRule?.then?.effect, o.policyRule?.then?.effect) && same(definitionEffect(desired), definitionEffect(observed))) {
    f.push({ weakens: false, text: `effect expression changed to ${show(o.policyRule?.then?.effect)}` });
  }
  const paramNames = [...new Set([...Object.keys(d.parameters ?? {}), ...Object.keys(o.parameters ?? {})])].sort();
  const changedParams = paramNames.filter((p) => !same(getCI(d.parameters, p), getCI(o.parameters, p)));
  if (changedParams.length) f.push({ weakens: false, text: `parameters ${changedParams.join(", ")} changed` });
  compareText(f, "displayName", d.displayName, o.displayName);
  compareText(f, "description", d.description, o.description);
  compareMetadata(f, d.metadata ?? {}, o.metadata ?? {});
  return result(f);
}

function refKey(r: TAzurePolicyDefinitionReference): string {
  return (r.policyDefinitionReferenceId || r.policyDefinitionId).toLowerCase();
}

/** Parameter values by name; an `effect`-named parameter is judged by strength, the rest by equality. */
function compareParamValues(
  f: Finding[],
  where: string,
  desired: Record<string, { value: unknown }>,
  observed: Record<string, { value: unknown }>,
): void {
  const names = [...new Set([...Object.keys(desired ?? {}), ...Object.keys(observed ?? {})])].sort();
  const other: string[] = [];
  for (const n of names) {
    const dv = getCI(desired, n)?.value;
    const ov = getCI(observed, n)?.value;
    if (same(dv, ov)) continue;
    if (n.toLowerCase() === "effect") compareEffect(f, `${where} effect`, dv, ov);
    else other.push(n);
  }
  if (other.length) f.push({ weakens: false, text: `${where} parameters ${other.join(", ")} changed` });
}

export function compareSetDefinition(desired: TAzurePolicySetDefinition, observed: TAzurePolicySetDefinition): Difference {
  const f: Finding[] = [];
  const d = desired.properties;
  const o = observed.properties;
  const oRefs = new Map(o.policyDefinitions.map((r) => [refKey(r), r]));
  const dRefs = new Map(d.policyDefinitions.map((r) => [refKey(r), r]));
  const removed = [...dRefs.keys()].filter((k) => !oRefs.has(k));
  if (removed.length)
    f.push({
      weakens: true,
      text: `policies removed from the initiative: ${removed.map((k) => dRefs.get(k)!.policyDefinitionReferenceId).join(", ")}`,
    });
  const added = [...oRefs.keys()].filter((k) => !dRefs.has(k));
  if (added.length)
    f.push({
      weakens: false,
      text: `policies added to the initiative: ${added.map((k) => oRefs.get(k)!.policyDefinitionReferenceId || oRefs.get(k)!.policyDefinitionId).join(", ")}`,
    });
  for (const [k, dr] of dRefs) {
    const or = oRefs.get(k);
    if (!or) continue;
    const ref = dr.policyDefinitionReferenceId;
    if (!sameId(dr.policyDefinitionId, or.policyDefinitionId)) {
      // The reference no longer runs Parapet's definition: its protection is gone from the initiative.
      f.push({ weakens: true, text: `${ref} now references ${or.policyDefinitionId}` });
    }
    compareParamValues(f, ref, dr.parameters, or.parameters);
  }
  // References are matched by id, not position: their order inside an initiative changes nothing.
  const paramNames = [...new Set([...Object.keys(d.parameters ?? {}), ...Object.keys(o.parameters ?? {})])].sort();
  const changedParams = paramNames.filter((p) => !same(getCI(d.parameters, p), getCI(o.parameters, p)));
  if (changedParams.length) f.push({ weakens: false, text: `initiative parameters ${changedParams.join(", ")} changed` });
  compareText(f, "displayName", d.displayName, o.displayName);
  compareText(f, "description", d.description, o.description);
  compareMetadata(f, d.metadata ?? {}, o.metadata ?? {});
  return result(f);
}

export function compareAssignment(desired: TAzurePolicyAssignment, observed: TObservedAzureAssignment): Difference {
  const f: Finding[] = [];
  const d = desired.properties;
  const o = observed.properties;
  if (d.enforcementMode !== o.enforcementMode) {
    f.push({ weakens: d.enforcementMode === "Default", text: `enforcementMode is ${o.enforcementMode} (desired ${d.enforcementMode})` });
  }
  const dNot = new Set((d.notScopes ?? []).map(scopeKey));
  const oNot = new Set((o.notScopes ?? []).map(scopeKey));
  const addedNot = (o.notScopes ?? []).filter((s) => !dNot.has(scopeKey(s)));
  const removedNot = (d.notScopes ?? []).filter((s) => !oNot.has(scopeKey(s)));
  if (addedNot.length) f.push({ weakens: true, text: `notScopes added: ${addedNot.join(", ")}` });
  if (removedNot.length) f.push({ weakens: false, text: `notScopes removed: ${removedNot.join(", ")}` });
  if (!sameId(d.policyDefinitionId, o.policyDefinitionId)) {
    f.push({ weakens: true, text: `assignment now assigns ${o.policyDefinitionId || "(nothing)"} instead of Parapet's initiative` });
  }
  compareParamValues(f, "assignment", d.parameters ?? {}, o.parameters ?? {});
  if (o.resourceSelectors?.length) f.push({ weakens: true, text: `resourceSelectors narrow the assignment: ${show(o.resourceSelectors)}` });
  for (const ov of o.overrides ?? []) {
    if ((ov.kind ?? "").toLowerCase() === "policyeffect") {
      const s = effectStrength(ov.value);
      f.push({
        weakens: s !== undefined && s < 3,
        text: `an override sets the effect to ${show(ov.value)}${ov.selectors?.length ? ` for ${show(ov.selectors)}` : ""}`,
      });
    } else f.push({ weakens: false, text: `override ${show(ov)} added` });
  }
  compareText(f, "displayName", d.displayName, o.displayName);
  compareText(f, "description", d.description, o.description);
  compareMetadata(f, d.metadata ?? {}, o.metadata ?? {});
  return result(f);
}

export function compareExemption(desired: TAzurePolicyExemption, observed: TAzurePolicyExemption): Difference {
  const f: Finding[] = [];
  const d = desired.properties;
  const o = observed.properties;
  if (!sameId(d.policyAssignmentId, o.policyAssignmentId)) f.push({ weakens: false, text: `exempts ${o.policyAssignmentId} instead` });
  // An exemption is a hole in protection: a broader or longer one weakens, a narrower one only modifies.
  const dRefs = new Set(d.policyDefinitionReferenceIds.map((x) => x.toLowerCase()));
  const oRefs = new Set(o.policyDefinitionReferenceIds.map((x) => x.toLowerCase()));
  const broader = (dRefs.size > 0 && oRefs.size === 0) || [...oRefs].some((r) => dRefs.size > 0 && !dRefs.has(r));
  if (!same([...dRefs].sort(), [...oRefs].sort()))
    f.push({
      weakens: broader,
      text: `exempted policies changed to ${o.policyDefinitionReferenceIds.length ? o.policyDefinitionReferenceIds.join(", ") : "all"}`,
    });
  const de = Date.parse(d.expiresOn);
  const oe = Date.parse(o.expiresOn);
  if (d.expiresOn !== o.expiresOn) {
    f.push({ weakens: Number.isNaN(oe) || (!Number.isNaN(de) && oe > de), text: `expiresOn changed to ${o.expiresOn || "never"}` });
  }
  if (d.exemptionCategory !== o.exemptionCategory) f.push({ weakens: false, text: `exemptionCategory changed to ${o.exemptionCategory}` });
  compareText(f, "displayName", d.displayName, o.displayName);
  compareText(f, "description", d.description, o.description);
  compareMetadata(f, d.metadata ?? {}, o.metadata ?? {});
  return result(f);
}

/** The adapter's compare: dispatches on the artifact kind to the comparisons above. */
export function compareAzureArtifact(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
  const d = desired.body;
  const o = observed.body;
  if (!isObj(d) || !isObj(d.properties) || !isObj(o) || !isObj(o.properties)) {
    return { equal: false, kind: "modified", detail: "the observed artifact has no properties to compare" };
  }
  switch (desired.kind) {
    case "azure.policy-definition":
      return compareDefinition(d as unknown as TAzurePolicyDefinition, o as unknown as TAzurePolicyDefinition);
    case "azure.policy-set-definition":
      return compareSetDefinition(d as unknown as TAzurePolicySetDefinition, o as unknown as TAzurePolicySetDefinition);
    case "azure.policy-assignment":
      return compareAssignment(d as unknown as TAzurePolicyAssignment, o as unknown as TObservedAzureAssignment);
    case "azure.policy-exemption":
      return compareExemption(d as unknown as TAzurePolicyExemption, o as unknown as TAzurePolicyExemption);
    default:
      return { equal: false, kind: "modified", detail: `${desired.kind} is not an Azure artifact` };
  }
}

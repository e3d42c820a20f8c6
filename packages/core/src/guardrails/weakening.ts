import type { TVersionSpec } from "./guardrails.schema.ts";

/**
 * Whether a guardrail change weakens protection (and so needs a second member's approval). Pure.
 *
 * - scope: weakening when any environment selected before is no longer selected (callers pass the
 *   selections, computed over every connection's current hierarchy);
 * - mode enforce → audit; remediation auto → notify;
 * - params: conservative. Lists named additional*, guarded*, protected*, denied*, blocked* protect
 *   more as they grow, so only removing from them weakens; booleans weaken when turned off. Every
 *   other parameter change (allow-lists, partner ids, regions, label keys) counts as weakening:
 *   asking for an approval that was not needed is cheap, missing one is not.
 */
export interface WeakeningInput {
  before: TVersionSpec;
  after: TVersionSpec;
  selectedBefore: ReadonlySet<string>;
  selectedAfter: ReadonlySet<string>;
}

const PROTECTIVE_LIST = /^(additional|guarded|protected|denied|blocked)/i;
const PROTECTIVE_FLAG = /^(protect|require|deny|block|enforce)/i;

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

export function paramWeakenings(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[key];
    const b = after[key];
    if (canonical(a) === canonical(b)) continue;
    if (Array.isArray(a) && Array.isArray(b) && PROTECTIVE_LIST.test(key)) {
      const kept = new Set(b.map(canonical));
      const removed = a.filter((x) => !kept.has(canonical(x)));
      if (removed.length) out.push(`params.${key}: removes ${removed.map((x) => canonical(x)).join(", ")}`);
      continue;
    }
    if (typeof a === "boolean" && typeof b === "boolean" && PROTECTIVE_FLAG.test(key)) {
      if (a && !b) out.push(`params.${key}: turned off`);
      continue;
    }
    out.push(`params.${key}: changed`);
  }
  return out;
}

/** Reasons the change weakens protection; empty means it can apply directly. */
export function weakeningReasons(input: WeakeningInput): string[] {
  const reasons: string[] = [];
  let dropped = 0;
  for (const id of input.selectedBefore) if (!input.selectedAfter.has(id)) dropped++;
  if (dropped > 0) reasons.push(`scope: ${dropped} environment${dropped === 1 ? "" : "s"} would no longer be covered`);
  if (input.before.mode === "enforce" && input.after.mode === "audit") reasons.push("mode: enforce → audit");
  if (input.before.remediation === "auto" && input.after.remediation === "notify") reasons.push("remediation: auto → notify");
  reasons.push(...paramWeakenings(input.before.params, input.after.params));
  return reasons;
}

/**
 * A packing limit a target cannot stay within (policies per initiative, bytes per org policy, rules
 * per deny policy, notScopes per assignment…). Thrown by the Azure, GCP and OCI packers; core turns
 * it into a plan problem that names the target, the limit and the guardrails involved.
 */
export class LimitError extends Error {
  constructor(
    readonly cloud: "azure" | "gcp" | "oci",
    readonly limit: string,
    readonly target: string,
    readonly value: number,
    readonly max: number,
    readonly guardrailIds: string[],
  ) {
    super(`${cloud}: ${target} needs ${value} ${limit} but the limit is ${max}; guardrails involved: ${guardrailIds.join(", ")}`);
    this.name = "LimitError";
  }
}

/** Code-unit order, the same on every machine (localeCompare is not): packed output is byte-stable. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

import type { TScope, TVersionSpec } from "./guardrails.schema.ts";

export interface CoverageTotals {
  enforced: number;
  audit: number;
  exempt: number;
  drifted: number;
  pending: number;
  unknown: number;
  unsupported: number;
  total: number;
}

export const emptyTotals = (): CoverageTotals => ({
  enforced: 0,
  audit: 0,
  exempt: 0,
  drifted: 0,
  pending: 0,
  unknown: 0,
  unsupported: 0,
  total: 0,
});

export function addCount(t: CoverageTotals, status: string, n: number): void {
  if (status in t && status !== "total") t[status as Exclude<keyof CoverageTotals, "total">] += n;
  t.total += n;
}

interface Row {
  id: string;
  controlId: string;
  name: string;
  description: string;
  status: string;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
  versions: Array<{ version: number; params: unknown; scope: unknown; mode: string; remediation: string }>;
}

/** The guardrail as the API shows it: identity plus its current version's spec. */
export function guardrailView(g: Row, coverage: CoverageTotals = emptyTotals(), pendingApproval: string | null = null) {
  const v = g.versions.find((x) => x.version === g.currentVersion) ?? g.versions[0];
  return {
    id: g.id,
    controlId: g.controlId,
    name: g.name,
    description: g.description,
    status: g.status,
    currentVersion: g.currentVersion,
    mode: (v?.mode ?? "audit") as TVersionSpec["mode"],
    remediation: (v?.remediation ?? "auto") as TVersionSpec["remediation"],
    scope: (v?.scope ?? {}) as TScope,
    params: (v?.params ?? {}) as Record<string, unknown>,
    coverage,
    pendingApproval,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}

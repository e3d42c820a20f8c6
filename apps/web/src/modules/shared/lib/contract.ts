/**
 * The /api/v1 shapes the console reads, named once: each is derived from the route table's response
 * schemas (`@parapet/core/openapi/routes`), so a field the server does not send is a type error here,
 * not an `undefined` on a page. Constants come from core's schema modules (pure: zod only).
 */
import type { ApiOutput } from "./api";

export { CLOUDS } from "@parapet/core/common/wire.schema";
export { COVERAGE_STATUSES } from "@parapet/core/reports/model";

/** A value from the URL or a form, if it is one of the contract's options (else left out, as unset). */
export function oneOf<T extends string>(options: readonly T[], v: string | null | undefined): T | undefined {
  return options.find((o) => o === v);
}

type Item<T> = T extends { items: Array<infer I> } ? I : never;

export type CatalogControl = Item<ApiOutput<"GET /catalog/controls">>;
type CatalogControlDetail = ApiOutput<"GET /catalog/controls/{id}">;
export type CompileResult = ApiOutput<"POST /catalog/controls/{id}/compile">;
export type ScenarioResult = CompileResult["scenarios"][number];

export type Cloud = CatalogControlDetail["scenarios"][number]["cloud"];
export type Fidelity = CatalogControl["fidelity"][Cloud]["fidelity"];

export type Guardrail = Item<ApiOutput<"GET /guardrails">>;
export type GuardrailDetail = ApiOutput<"GET /guardrails/{id}">;
export type GuardrailVersion = GuardrailDetail["versions"][number];
export type Scope = Guardrail["scope"];
export type Mode = Guardrail["mode"];
export type Remediation = Guardrail["remediation"];
export type CoverageTotals = Guardrail["coverage"];

export type Connection = ApiOutput<"GET /connections/{id}">;
export type Bootstrap = ApiOutput<"GET /connections/bootstrap">;
export type PreviewRun = ApiOutput<"GET /connections/{id}/preview">;

export type HierarchyNode = Item<ApiOutput<"GET /connections/{id}/nodes">>;
export type NodeCoverage = ApiOutput<"GET /nodes/{id}/coverage">;

export type Approval = ApiOutput<"GET /approvals/{id}">;
export type Exemption = Item<ApiOutput<"GET /exemptions">>;

export type DriftDay = ApiOutput<"GET /drift/timeline">[number];

type MatrixPage = ApiOutput<"GET /coverage/matrix">;
export type CoverageStatus = MatrixPage["statuses"][number];
/** A matrix row as the console holds it: its cells keyed by guardrail id (the API sends them positionally, as codes into the page's `statuses`). */
export type MatrixRow = Omit<MatrixPage["items"][number], "cells"> & { cells: Record<string, CoverageStatus> };

/** A page's positional, coded cells keyed by that page's guardrail ids and spelled out (pages fetched at different moments may differ). */
export function keyedMatrixRows(page: MatrixPage): MatrixRow[] {
  return page.items.map((row) => {
    const cells: Record<string, CoverageStatus> = {};
    page.guardrails.forEach((g, i) => {
      const s = page.statuses[row.cells[i] ?? -1];
      if (s) cells[g.id] = s;
    });
    return { ...row, cells };
  });
}

export type WorkspaceSettings = ApiOutput<"GET /settings">;
export type ReportSchedule = ApiOutput<"GET /reports/schedule">;
export type Subscription = Item<ApiOutput<"GET /reports/subscriptions">>;

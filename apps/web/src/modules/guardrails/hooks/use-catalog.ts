"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, apiRequest } from "@/modules/shared/lib/api";
import type { CatalogControl, Cloud, CompileResult, Mode, Scope, ScopePreview } from "@/modules/shared/lib/types";
import { guardrailKeys } from "./query-keys";

export function useCatalog() {
  return useQuery({
    queryKey: guardrailKeys.catalog,
    queryFn: async ({ signal }) => (await api.get<{ items: CatalogControl[] }>("/catalog/controls", undefined, signal)).items,
    staleTime: 5 * 60_000,
  });
}

export function useControl(id: string | null) {
  return useQuery({
    queryKey: guardrailKeys.control(id ?? ""),
    enabled: !!id,
    queryFn: ({ signal }) => api.get<CatalogControl>(`/catalog/controls/${encodeURIComponent(id!)}`, undefined, signal),
    staleTime: 5 * 60_000,
  });
}

/** Compiles the control for every cloud as the form changes (debounced by the caller). */
export function useCompile(id: string | null, input: { params: Record<string, unknown>; mode: Mode; cloud?: Cloud } | null) {
  return useQuery({
    queryKey: guardrailKeys.compile(id ?? "", input),
    enabled: !!id && !!input,
    queryFn: ({ signal }) => apiCompile(id!, input!, signal),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

function apiCompile(id: string, input: unknown, signal: AbortSignal): Promise<CompileResult> {
  // A POST that reads: it changes nothing, so it can be a query keyed by its input.
  return apiRequest<CompileResult>("POST", `/catalog/controls/${encodeURIComponent(id)}/compile`, { body: input, signal });
}

export function useScopePreview(scope: Scope | null) {
  return useQuery({
    queryKey: guardrailKeys.scopePreview(scope),
    enabled: !!scope,
    queryFn: () => api.post<ScopePreview>("/scope/preview", { scope }),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiCall } from "@/modules/shared/lib/api";
import type { Cloud, CompileResult, Mode, Scope } from "@/modules/shared/lib/contract";
import { guardrailKeys } from "./query-keys";

export function useCatalog() {
  return useQuery({
    queryKey: guardrailKeys.catalog,
    queryFn: async ({ signal }) => (await apiCall("GET /catalog/controls", { signal })).items,
    staleTime: 5 * 60_000,
  });
}

export function useControl(id: string | null) {
  return useQuery({
    queryKey: guardrailKeys.control(id ?? ""),
    enabled: !!id,
    queryFn: ({ signal }) => apiCall("GET /catalog/controls/{id}", { params: { id: id! }, signal }),
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

function apiCompile(
  id: string,
  input: { params: Record<string, unknown>; mode: Mode; cloud?: Cloud },
  signal: AbortSignal,
): Promise<CompileResult> {
  // A POST that reads: it changes nothing, so it can be a query keyed by its input.
  return apiCall("POST /catalog/controls/{id}/compile", { params: { id }, body: input, signal });
}

export function useScopePreview(scope: Scope | null, controlId?: string) {
  return useQuery({
    queryKey: [...guardrailKeys.scopePreview(scope), controlId ?? ""],
    enabled: !!scope,
    queryFn: () => apiCall("POST /scope/preview", { body: { scope: scope!, ...(controlId ? { controlId } : {}) } }),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody, type ApiQuery } from "@/modules/shared/lib/api";
import type { Approval } from "@/modules/shared/lib/contract";
import { guardrailKeys } from "./query-keys";

export function useGuardrails(status: ApiQuery<"GET /guardrails">["status"] | "" = "") {
  return useQuery({
    queryKey: guardrailKeys.list(status),
    queryFn: async ({ signal }) => (await apiCall("GET /guardrails", { query: { status: status || undefined }, signal })).items,
    refetchInterval: 15_000,
  });
}

export function useGuardrail(id: string) {
  return useQuery({
    queryKey: guardrailKeys.detail(id),
    queryFn: ({ signal }) => apiCall("GET /guardrails/{id}", { params: { id }, signal }),
    refetchInterval: 10_000,
  });
}

export function useCreateGuardrail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /guardrails">) => apiCall("POST /guardrails", { body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: guardrailKeys.all });
      void qc.invalidateQueries({ queryKey: ["coverage"] });
    },
  });
}

export function isApprovalResult(r: unknown): r is { approval: Approval } {
  return !!r && typeof r === "object" && "approval" in r && !!r.approval;
}

/** A change that weakens protection comes back as a pending approval instead of a new version. */
export function useUpdateGuardrail(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"PATCH /guardrails/{id}">) => apiCall("PATCH /guardrails/{id}", { params: { id }, body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: guardrailKeys.all });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
      void qc.invalidateQueries({ queryKey: ["coverage"] });
    },
  });
}

export function useGuardrailAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (action: "disable" | "enable" | "delete"): Promise<{ approval: Approval } | { guardrail: unknown }> =>
      action === "delete"
        ? apiCall("DELETE /guardrails/{id}", { params: { id } })
        : action === "disable"
          ? apiCall("POST /guardrails/{id}/disable", { params: { id } })
          : apiCall("POST /guardrails/{id}/enable", { params: { id } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: guardrailKeys.all });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}

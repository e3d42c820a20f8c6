"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { Approval, Guardrail, GuardrailDetail, Page } from "@/modules/shared/lib/types";
import { guardrailKeys } from "./query-keys";

export function useGuardrails(status = "") {
  return useQuery({
    queryKey: guardrailKeys.list(status),
    queryFn: async ({ signal }) => {
      const r = await api.get<Page<Guardrail> | Guardrail[]>("/guardrails", { status }, signal);
      return Array.isArray(r) ? r : r.items;
    },
    refetchInterval: 15_000,
  });
}

export function useGuardrail(id: string) {
  return useQuery({
    queryKey: guardrailKeys.detail(id),
    queryFn: ({ signal }) => api.get<GuardrailDetail>(`/guardrails/${encodeURIComponent(id)}`, undefined, signal),
    refetchInterval: 10_000,
  });
}

export interface GuardrailInput {
  controlId?: string;
  name?: string;
  description?: string;
  params?: Record<string, unknown>;
  scope?: unknown;
  mode?: string;
  remediation?: string;
  note?: string;
}

export function useCreateGuardrail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: GuardrailInput) => api.post<Guardrail>("/guardrails", body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: guardrailKeys.all });
      void qc.invalidateQueries({ queryKey: ["coverage"] });
    },
  });
}

export type UpdateResult = { guardrail: Guardrail } | { approval: Approval } | Guardrail;

export function isApprovalResult(r: unknown): r is { approval: Approval } {
  return !!r && typeof r === "object" && "approval" in r && !!r.approval;
}

/** A change that weakens protection comes back as a pending approval instead of a new version. */
export function useUpdateGuardrail(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: GuardrailInput) => api.patch<UpdateResult>(`/guardrails/${encodeURIComponent(id)}`, body),
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
    mutationFn: (action: "disable" | "enable" | "delete") =>
      action === "delete" ? api.del<UpdateResult>(`/guardrails/${encodeURIComponent(id)}`) : api.post<UpdateResult>(`/guardrails/${encodeURIComponent(id)}/${action}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: guardrailKeys.all });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}

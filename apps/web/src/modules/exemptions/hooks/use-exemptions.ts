"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { Approval, Exemption, Page } from "@/modules/shared/lib/types";

const exemptionKeys = {
  all: ["exemptions"] as const,
  list: (status: string) => ["exemptions", "list", status] as const,
};

export function useExemptions(status = "") {
  return useQuery({
    queryKey: exemptionKeys.list(status),
    queryFn: async ({ signal }) => {
      const r = await api.get<Page<Exemption> | Exemption[]>("/exemptions", { status, limit: 200 }, signal);
      return Array.isArray(r) ? r : r.items;
    },
  });
}

export interface ExemptionInput {
  guardrailId: string;
  nodeId: string;
  reason: string;
  ownerEmail: string;
  expiresAt: string;
}

/** Exempting weakens protection, so the API answers with an approval, never an active exemption. */
export function useRequestExemption() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExemptionInput) => api.post<{ approval: Approval }>("/exemptions", body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: exemptionKeys.all });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}

export function useRevokeExemption() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<unknown>(`/exemptions/${encodeURIComponent(id)}/revoke`),
    onSuccess: () => void qc.invalidateQueries(),
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody, type ApiQuery } from "@/modules/shared/lib/api";

const exemptionKeys = {
  all: ["exemptions"] as const,
  list: (status: string) => ["exemptions", "list", status] as const,
};

export function useExemptions(status: ApiQuery<"GET /exemptions">["status"] | "" = "") {
  return useQuery({
    queryKey: exemptionKeys.list(status ?? ""),
    queryFn: async ({ signal }) => (await apiCall("GET /exemptions", { query: { status: status || undefined }, signal })).items,
  });
}

export type ExemptionInput = ApiBody<"POST /exemptions">;

/** Exempting weakens protection, so the API answers with an approval, never an active exemption. */
export function useRequestExemption() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExemptionInput) => apiCall("POST /exemptions", { body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: exemptionKeys.all });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}

export function useRevokeExemption() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("POST /exemptions/{id}/revoke", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries(),
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall } from "@/modules/shared/lib/api";
import { approvalKeys } from "./query-keys";

export function useApprovals(status: "pending" | "approved" | "rejected" | "" = "pending") {
  return useQuery({
    queryKey: approvalKeys.list(status),
    queryFn: async ({ signal }) => (await apiCall("GET /approvals", { query: { status: status || undefined, limit: 100 }, signal })).items,
    refetchInterval: 10_000,
  });
}

export function useDecideApproval() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, note }: { id: string; decision: "approve" | "reject"; note?: string }) =>
      decision === "approve"
        ? apiCall("POST /approvals/{id}/approve", { params: { id }, body: note ? { note } : {} })
        : apiCall("POST /approvals/{id}/reject", { params: { id }, body: { note: note ?? "" } }),
    onSuccess: () => {
      // An approval applies a change anywhere: guardrails, exemptions, coverage.
      void qc.invalidateQueries();
    },
  });
}

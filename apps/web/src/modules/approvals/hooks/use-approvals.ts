"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { Approval, Page } from "@/modules/shared/lib/types";
import { approvalKeys } from "./query-keys";

function items<T>(r: Page<T> | T[]): T[] {
  return Array.isArray(r) ? r : r.items;
}

export function useApprovals(status: "pending" | "approved" | "rejected" | "" = "pending") {
  return useQuery({
    queryKey: approvalKeys.list(status),
    queryFn: async ({ signal }) => items(await api.get<Page<Approval> | Approval[]>("/approvals", { status, limit: 100 }, signal)),
    refetchInterval: 10_000,
  });
}

export function useDecideApproval() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, note }: { id: string; decision: "approve" | "reject"; note?: string }) =>
      api.post<unknown>(`/approvals/${encodeURIComponent(id)}/${decision}`, note ? { note } : {}),
    onSuccess: () => {
      // An approval applies a change anywhere: guardrails, exemptions, coverage.
      void qc.invalidateQueries();
    },
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody } from "@/modules/shared/lib/api";
import { guardrailKeys } from "./query-keys";

/** The newest replay per connection; polls while one is still queued or running. */
export function useImpact(id: string) {
  return useQuery({
    queryKey: guardrailKeys.impact(id),
    queryFn: ({ signal }) => apiCall("GET /guardrails/{id}/impact", { params: { id }, signal }),
    refetchInterval: (q) => (q.state.data?.reports.some((r) => r.status === "queued" || r.status === "running") ? 2_000 : false),
  });
}

export function useRequestImpact(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /guardrails/{id}/impact">) => apiCall("POST /guardrails/{id}/impact", { params: { id }, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: guardrailKeys.impact(id) }),
  });
}

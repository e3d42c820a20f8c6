"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody, type ApiQuery } from "@/modules/shared/lib/api";

const denialKeys = {
  list: (q: ApiQuery<"GET /denials">) => ["denials", q] as const,
};

/** The newest denials matching the filters; refreshed every 15 s (the poll reads the clouds every minute). */
export function useDenials(q: ApiQuery<"GET /denials">) {
  return useQuery({
    queryKey: denialKeys.list(q),
    refetchInterval: 15_000,
    queryFn: ({ signal }) => apiCall("GET /denials", { query: q, signal }),
  });
}

export function useRequestDenialExemption() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ApiBody<"POST /denials/{id}/exemption"> }) =>
      apiCall("POST /denials/{id}/exemption", { params: { id }, body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["exemptions"] });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}

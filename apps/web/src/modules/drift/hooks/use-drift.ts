"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall } from "@/modules/shared/lib/api";
import { driftKeys, type DriftFilters } from "./query-keys";

export function useDriftList(filters: DriftFilters, opts: { limit?: number; live?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: [...driftKeys.list(filters), opts.limit ?? 50],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      apiCall("GET /drift", { query: { ...filters, limit: opts.limit ?? 50, cursor: pageParam ?? undefined }, signal }),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: opts.live === false ? false : 5_000,
  });
}

export function useDriftDetail(id: string) {
  return useQuery({
    queryKey: driftKeys.detail(id),
    queryFn: ({ signal }) => apiCall("GET /drift/{id}", { params: { id }, signal }),
    refetchInterval: (q) => (q.state.data?.status === "open" ? 3_000 : false),
  });
}

export function useReapplyDrift(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiCall("POST /drift/{id}/reapply", { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: driftKeys.all }),
  });
}

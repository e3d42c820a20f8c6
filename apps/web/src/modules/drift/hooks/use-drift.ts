"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { DriftDetail, DriftItem, Page } from "@/modules/shared/lib/types";
import { driftKeys, type DriftFilters } from "./query-keys";

export function useDriftList(filters: DriftFilters, opts: { limit?: number; live?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: [...driftKeys.list(filters), opts.limit ?? 50],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api.get<Page<DriftItem>>("/drift", { ...filters, limit: opts.limit ?? 50, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: opts.live === false ? false : 5_000,
  });
}

export function useDriftDetail(id: string) {
  return useQuery({
    queryKey: driftKeys.detail(id),
    queryFn: ({ signal }) => api.get<DriftDetail>(`/drift/${encodeURIComponent(id)}`, undefined, signal),
    refetchInterval: (q) => (q.state.data?.status === "open" ? 3_000 : false),
  });
}

export function useReapplyDrift(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<unknown>(`/drift/${encodeURIComponent(id)}/reapply`),
    onSuccess: () => qc.invalidateQueries({ queryKey: driftKeys.all }),
  });
}

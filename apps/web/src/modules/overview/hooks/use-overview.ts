"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiCall } from "@/modules/shared/lib/api";
import { keyedMatrixRows, type CoverageStatus } from "@/modules/shared/lib/contract";
import { overviewKeys } from "./query-keys";

export function useCoverageOverview() {
  return useQuery({
    queryKey: overviewKeys.coverage,
    queryFn: ({ signal }) => apiCall("GET /coverage/overview", { signal }),
    refetchInterval: 15_000,
  });
}

/**
 * Pages of the coverage matrix, 200 environments at a time, fetched as the user scrolls. The API
 * pages one workspace-wide id order, so connections are walked one after another: each group
 * stays contiguous and gets one header.
 */
export function useCoverageMatrix(filters: { connectionId?: string; status?: CoverageStatus }, connectionIds: string[]) {
  const order = filters.connectionId ? [filters.connectionId] : connectionIds;
  return useInfiniteQuery({
    queryKey: [...overviewKeys.matrix(filters), order],
    enabled: order.length > 0,
    initialPageParam: { i: 0, cursor: null as string | null },
    queryFn: async ({ pageParam, signal }) => {
      const page = await apiCall("GET /coverage/matrix", {
        query: { connectionId: order[pageParam.i], status: filters.status, limit: 200, cursor: pageParam.cursor ?? undefined },
        signal,
      });
      return { ...page, items: keyedMatrixRows(page), i: pageParam.i };
    },
    getNextPageParam: (last) =>
      last.nextCursor ? { i: last.i, cursor: last.nextCursor } : last.i + 1 < order.length ? { i: last.i + 1, cursor: null } : undefined,
  });
}

export function useDriftTimeline(days = 30) {
  return useQuery({
    queryKey: overviewKeys.timeline(days),
    queryFn: ({ signal }) => apiCall("GET /drift/timeline", { query: { days }, signal }),
    refetchInterval: 30_000,
  });
}

export function useActivity(limit = 20) {
  return useQuery({
    queryKey: overviewKeys.activity(limit),
    queryFn: async ({ signal }) => (await apiCall("GET /activity", { query: { limit }, signal })).items,
    refetchInterval: 15_000,
  });
}

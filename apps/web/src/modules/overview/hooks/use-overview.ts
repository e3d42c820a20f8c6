"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { AuditEvent, CoverageOverview, MatrixPage } from "@/modules/shared/lib/types";
import { overviewKeys } from "./query-keys";

export function useCoverageOverview() {
  return useQuery({
    queryKey: overviewKeys.coverage,
    queryFn: ({ signal }) => api.get<CoverageOverview>("/coverage/overview", undefined, signal),
    refetchInterval: 15_000,
  });
}

/**
 * Pages of the coverage matrix, 200 environments at a time, fetched as the user scrolls. The API
 * pages one workspace-wide id order, so connections are walked one after another: each group
 * stays contiguous and gets one header.
 */
export function useCoverageMatrix(filters: { connectionId?: string; status?: string }, connectionIds: string[]) {
  const order = filters.connectionId ? [filters.connectionId] : connectionIds;
  return useInfiniteQuery({
    queryKey: [...overviewKeys.matrix(filters), order],
    enabled: order.length > 0,
    initialPageParam: { i: 0, cursor: null as string | null },
    queryFn: async ({ pageParam, signal }) => {
      const page = await api.get<MatrixPage>("/coverage/matrix", { connectionId: order[pageParam.i], status: filters.status, limit: 200, cursor: pageParam.cursor }, signal);
      return { ...page, i: pageParam.i };
    },
    getNextPageParam: (last) => (last.nextCursor ? { i: last.i, cursor: last.nextCursor } : last.i + 1 < order.length ? { i: last.i + 1, cursor: null } : undefined),
  });
}

export interface TimelineDay {
  day: string;
  opened: number;
  resolved: number;
}

export function useDriftTimeline(days = 30) {
  return useQuery({
    queryKey: overviewKeys.timeline(days),
    queryFn: async ({ signal }) => {
      const r = await api.get<TimelineDay[] | { items: TimelineDay[] }>("/drift/timeline", { days }, signal);
      return Array.isArray(r) ? r : r.items;
    },
    refetchInterval: 30_000,
  });
}

export function useActivity(limit = 20) {
  return useQuery({
    queryKey: overviewKeys.activity(limit),
    queryFn: async ({ signal }) => {
      const r = await api.get<AuditEvent[] | { items: AuditEvent[] }>("/activity", { limit }, signal);
      return Array.isArray(r) ? r : r.items;
    },
    refetchInterval: 15_000,
  });
}

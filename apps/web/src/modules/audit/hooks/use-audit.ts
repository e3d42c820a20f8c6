"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiCall, type ApiQuery } from "@/modules/shared/lib/api";

/** The log's filters: the route's query without its paging. */
export type AuditFilters = Omit<ApiQuery<"GET /audit">, "limit" | "cursor">;

const auditKeys = {
  list: (f: AuditFilters) => ["audit", "list", f] as const,
  verify: ["audit", "verify"] as const,
  checkpoint: ["audit", "checkpoint"] as const,
};

export function useAuditLog(f: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => apiCall("GET /audit", { query: { ...f, limit: 50, cursor: pageParam ?? undefined }, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The latest signed chain head kept outside the database. */
export function useAuditCheckpoint() {
  return useQuery({ queryKey: auditKeys.checkpoint, queryFn: ({ signal }) => apiCall("GET /audit/checkpoint", { signal }) });
}

export function useAuditVerify(enabled: boolean) {
  return useQuery({ queryKey: auditKeys.verify, enabled, queryFn: ({ signal }) => apiCall("GET /audit/verify", { signal }), staleTime: 0 });
}

"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { AuditEvent, Page } from "@/modules/shared/lib/types";

export interface AuditFilters {
  q?: string;
  action?: string;
  actor?: string;
  targetType?: string;
  from?: string;
  to?: string;
}

export const auditKeys = {
  list: (f: AuditFilters) => ["audit", "list", f] as const,
  verify: ["audit", "verify"] as const,
};

export function useAuditLog(f: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api.get<Page<AuditEvent>>("/audit", { ...f, limit: 50, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.nextCursor,
  });
}

export interface ChainStatus {
  ok: boolean;
  checked: number;
  firstBroken?: unknown;
}

export function useAuditVerify(enabled: boolean) {
  return useQuery({ queryKey: auditKeys.verify, enabled, queryFn: ({ signal }) => api.get<ChainStatus>("/audit/verify", undefined, signal), staleTime: 0 });
}

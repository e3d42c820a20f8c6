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

const auditKeys = {
  list: (f: AuditFilters) => ["audit", "list", f] as const,
  verify: ["audit", "verify"] as const,
  checkpoint: ["audit", "checkpoint"] as const,
};

export function useAuditLog(f: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api.get<Page<AuditEvent>>("/audit", { ...f, limit: 50, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.nextCursor,
  });
}

interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
}

export interface ChainStatus {
  ok: boolean;
  checked: number;
  firstBroken?: unknown;
  checkpoint?: Checkpoint | null;
}

export interface CheckpointStatus {
  enabled: boolean;
  checkpoint: Checkpoint | null;
  problem: string | null;
}

/** The latest signed chain head kept outside the database. */
export function useAuditCheckpoint() {
  return useQuery({ queryKey: auditKeys.checkpoint, queryFn: ({ signal }) => api.get<CheckpointStatus>("/audit/checkpoint", undefined, signal) });
}

export function useAuditVerify(enabled: boolean) {
  return useQuery({ queryKey: auditKeys.verify, enabled, queryFn: ({ signal }) => api.get<ChainStatus>("/audit/verify", undefined, signal), staleTime: 0 });
}

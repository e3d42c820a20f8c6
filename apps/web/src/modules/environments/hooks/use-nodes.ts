"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { CoverageStatus, HierarchyNode, Page } from "@/modules/shared/lib/types";
import { nodeKeys } from "./query-keys";

/** Children of one node (or the roots), 200 at a time: an OU can hold thousands of accounts. */
export function useChildNodes(connectionId: string, parentId: string | null, q = "", opts: { poll?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: nodeKeys.children(connectionId, parentId, q),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<HierarchyNode>>(`/connections/${encodeURIComponent(connectionId)}/nodes`, { parentId: q ? undefined : (parentId ?? undefined), q, limit: 200, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: opts.poll ? 3_000 : false,
  });
}

export function useUpdateLabels(nodeId: string, connectionId: string) {
  const qc = useQueryClient();
  return useMutation({
    // 202 { approval } when the relabel would take environments out of a guardrail (two-person rule).
    mutationFn: (overrides: Record<string, string | null>) => api.patch<HierarchyNode | { approval: { id: string; reasons: string[] } }>(`/nodes/${encodeURIComponent(nodeId)}/labels`, { overrides }),
    // Effective labels are recomputed for the whole subtree, so refetch the connection's nodes.
    onSuccess: () => void qc.invalidateQueries({ queryKey: nodeKeys.connection(connectionId) }),
  });
}

interface PlaceRef {
  id: string;
  name: string;
  kind: string;
  externalId: string;
}

/** GET /nodes/{id}/coverage: the guardrails that apply to one node. */
export interface NodeCoverage {
  node: { id: string; connectionId: string; name: string; kind: string; externalId: string; isEnvironment: boolean; path: PlaceRef[] };
  items: Array<{
    guardrail: { id: string; name: string; controlId: string; mode: "audit" | "enforce"; remediation: "auto" | "notify" };
    status: CoverageStatus | null;
    fidelity: string | null;
    detail: string | null;
    updatedAt: string | null;
    counts: Partial<Record<CoverageStatus, number>> | null;
    attachedAt: Array<{ node: PlaceRef; here: boolean; artifacts: Array<{ kind: string; name: string; state: string }> }>;
    exemptions: Array<{ id: string; node: PlaceRef; reason: string; ownerEmail: string; expiresAt: string }>;
  }>;
}

/** Refreshed every 15 s: statuses change as reconciles run. */
export function useNodeCoverage(connectionId: string, nodeId: string) {
  return useQuery({
    queryKey: nodeKeys.coverage(connectionId, nodeId),
    queryFn: ({ signal }) => api.get<NodeCoverage>(`/nodes/${encodeURIComponent(nodeId)}/coverage`, undefined, signal),
    refetchInterval: 15_000,
  });
}

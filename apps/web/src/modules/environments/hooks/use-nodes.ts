"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { HierarchyNode, Page } from "@/modules/shared/lib/types";
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
    mutationFn: (overrides: Record<string, string | null>) => api.patch<HierarchyNode>(`/nodes/${encodeURIComponent(nodeId)}/labels`, { overrides }),
    // Effective labels are recomputed for the whole subtree, so refetch the connection's nodes.
    onSuccess: () => void qc.invalidateQueries({ queryKey: nodeKeys.connection(connectionId) }),
  });
}

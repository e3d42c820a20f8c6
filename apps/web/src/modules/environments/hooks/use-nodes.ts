"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall } from "@/modules/shared/lib/api";
import type { NodeCoverage } from "@/modules/shared/lib/contract";
import { nodeKeys } from "./query-keys";

/** Children of one node (or the roots), 200 at a time: an OU can hold thousands of accounts. */
export function useChildNodes(connectionId: string, parentId: string | null, q = "", opts: { poll?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: nodeKeys.children(connectionId, parentId, q),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      apiCall("GET /connections/{id}/nodes", {
        params: { id: connectionId },
        query: { parentId: q ? undefined : (parentId ?? undefined), q, limit: 200, cursor: pageParam ?? undefined },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: opts.poll ? 3_000 : false,
  });
}

export function useUpdateLabels(nodeId: string, connectionId: string) {
  const qc = useQueryClient();
  return useMutation({
    // 202 { approval } when the relabel would take environments out of a guardrail (two-person rule).
    mutationFn: (overrides: Record<string, string | null>) =>
      apiCall("PATCH /nodes/{id}/labels", { params: { id: nodeId }, body: { overrides } }),
    // Effective labels are recomputed for the whole subtree, so refetch the connection's nodes.
    onSuccess: () => void qc.invalidateQueries({ queryKey: nodeKeys.connection(connectionId) }),
  });
}

export type { NodeCoverage };

/** Refreshed every 15 s: statuses change as reconciles run. */
export function useNodeCoverage(connectionId: string, nodeId: string) {
  return useQuery({
    queryKey: nodeKeys.coverage(connectionId, nodeId),
    queryFn: ({ signal }) => apiCall("GET /nodes/{id}/coverage", { params: { id: nodeId }, signal }),
    refetchInterval: 15_000,
  });
}

/** What the customer's own policies already enforce here (the connection's latest posture scan). */
export function useNodePosture(connectionId: string, nodeId: string) {
  return useQuery({
    queryKey: [...nodeKeys.coverage(connectionId, nodeId), "posture"],
    queryFn: ({ signal }) => apiCall("GET /nodes/{id}/posture", { params: { id: nodeId }, signal }),
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { Bootstrap, Cloud, Connection, Page, PreviewRun } from "@/modules/shared/lib/types";
import { connectionKeys } from "./query-keys";

export function useConnections() {
  return useQuery({
    queryKey: connectionKeys.list,
    queryFn: async ({ signal }) => {
      const r = await api.get<Page<Connection> | Connection[]>("/connections", undefined, signal);
      return Array.isArray(r) ? r : r.items;
    },
    refetchInterval: (q) => (q.state.data?.some((c) => c.status === "verifying") ? 3_000 : 30_000),
  });
}

/** Polls while the worker is verifying, so the wizard shows the result as soon as it lands. */
export function useConnection(id: string | null, opts: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: connectionKeys.detail(id ?? ""),
    enabled: !!id,
    queryFn: ({ signal }) => api.get<Connection>(`/connections/${encodeURIComponent(id!)}`, undefined, signal),
    refetchInterval: (q) => (opts.poll || q.state.data?.status === "verifying" ? 2_000 : false),
  });
}

export function useBootstrap(cloud: Cloud | null) {
  return useQuery({
    queryKey: connectionKeys.bootstrap(cloud ?? ""),
    enabled: !!cloud,
    queryFn: ({ signal }) => api.get<Bootstrap>("/connections/bootstrap", { cloud: cloud! }, signal),
    staleTime: Infinity,
  });
}

export function useCreateConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<Connection>("/connections", body),
    onSuccess: (c) => {
      qc.setQueryData(connectionKeys.detail(c.id), c);
      void qc.invalidateQueries({ queryKey: connectionKeys.list });
    },
  });
}

export function useUpdateConnection(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api.patch<Connection>(`/connections/${encodeURIComponent(id)}`, body),
    onSuccess: (c) => {
      if (c && typeof c === "object" && "id" in c) qc.setQueryData(connectionKeys.detail(id), c);
      void qc.invalidateQueries({ queryKey: connectionKeys.list });
    },
  });
}

export function useConnectionAction(id: string, action: "verify" | "discover" | "preview" | "reconcile") {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ jobId?: string }>(`/connections/${encodeURIComponent(id)}/${action}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: connectionKeys.detail(id) });
      if (action === "preview") void qc.invalidateQueries({ queryKey: connectionKeys.preview(id) });
    },
  });
}

export function useRotateCredentials(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (credentials: unknown) => api.post<unknown>(`/connections/${encodeURIComponent(id)}/rotate-credentials`, { credentials }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: connectionKeys.detail(id) }),
  });
}

export function usePreviewRun(id: string | null, poll: boolean) {
  return useQuery({
    queryKey: connectionKeys.preview(id ?? ""),
    enabled: !!id,
    queryFn: ({ signal }) => api.get<PreviewRun | null>(`/connections/${encodeURIComponent(id!)}/preview`, undefined, signal),
    refetchInterval: (q) => (poll && (!q.state.data || ["running", "queued", "none"].includes(q.state.data.status)) ? 2_000 : false),
    retry: (n, e) => n < 2 && !(e instanceof Error && "status" in e && (e as { status: number }).status === 404),
  });
}

export function useDeleteConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => api.del<unknown>(`/connections/${encodeURIComponent(id)}`, { confirm: name }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody } from "@/modules/shared/lib/api";
import type { Cloud } from "@/modules/shared/lib/contract";
import { connectionKeys } from "./query-keys";

export function useConnections() {
  return useQuery({
    queryKey: connectionKeys.list,
    queryFn: async ({ signal }) => (await apiCall("GET /connections", { signal })).items,
    refetchInterval: (q) => (q.state.data?.some((c) => c.status === "verifying") ? 3_000 : 30_000),
  });
}

/** Polls while the worker is verifying, so the wizard shows the result as soon as it lands. */
export function useConnection(id: string | null, opts: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: connectionKeys.detail(id ?? ""),
    enabled: !!id,
    queryFn: ({ signal }) => apiCall("GET /connections/{id}", { params: { id: id! }, signal }),
    refetchInterval: (q) => (opts.poll || q.state.data?.status === "verifying" ? 2_000 : false),
  });
}

export function useBootstrap(cloud: Cloud | null) {
  return useQuery({
    queryKey: connectionKeys.bootstrap(cloud ?? ""),
    enabled: !!cloud,
    queryFn: ({ signal }) => apiCall("GET /connections/bootstrap", { query: { cloud: cloud! }, signal }),
    staleTime: Infinity,
  });
}

export function useCreateConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /connections">) => apiCall("POST /connections", { body }),
    onSuccess: (c) => {
      qc.setQueryData(connectionKeys.detail(c.id), c);
      void qc.invalidateQueries({ queryKey: connectionKeys.list });
    },
  });
}

export function useUpdateConnection(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"PATCH /connections/{id}">) => apiCall("PATCH /connections/{id}", { params: { id }, body }),
    onSuccess: (c) => {
      // 202 (a weakening principal change waits for approval) answers { approval, connection }.
      qc.setQueryData(connectionKeys.detail(id), "approval" in c ? c.connection : c);
      void qc.invalidateQueries({ queryKey: connectionKeys.list });
    },
  });
}

export function useConnectionAction(id: string, action: "verify" | "discover" | "preview" | "reconcile") {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiCall(`POST /connections/{id}/${action}`, { params: { id } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: connectionKeys.detail(id) });
      if (action === "preview") void qc.invalidateQueries({ queryKey: connectionKeys.preview(id) });
    },
  });
}

export function useRotateCredentials(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (credentials: ApiBody<"POST /connections/{id}/rotate-credentials">["credentials"]) =>
      apiCall("POST /connections/{id}/rotate-credentials", { params: { id }, body: { credentials } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: connectionKeys.detail(id) }),
  });
}

export function usePreviewRun(id: string | null, poll: boolean) {
  return useQuery({
    queryKey: connectionKeys.preview(id ?? ""),
    enabled: !!id,
    queryFn: ({ signal }) => apiCall("GET /connections/{id}/preview", { params: { id: id! }, signal }),
    refetchInterval: (q) => (poll && (!q.state.data || ["running", "queued", "none"].includes(q.state.data.status)) ? 2_000 : false),
    retry: (n, e) => n < 2 && !(e instanceof Error && "status" in e && (e as { status: number }).status === 404),
  });
}

export function useDeleteConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      apiCall("DELETE /connections/{id}", { params: { id }, query: { confirm: name } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

/** The connection's newest posture scan (polled while one runs). */
export function usePosture(id: string) {
  return useQuery({
    queryKey: [...connectionKeys.detail(id), "posture"],
    queryFn: ({ signal }) => apiCall("GET /connections/{id}/posture", { params: { id }, signal }),
    refetchInterval: (q) => (q.state.data?.scan && ["queued", "running"].includes(q.state.data.scan.status) ? 2_000 : false),
  });
}

export function useScanPosture(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiCall("POST /connections/{id}/posture", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: [...connectionKeys.detail(id), "posture"] }),
  });
}

export function useWatchForeignPolicy(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { policyId: string; watch: boolean }) => apiCall("POST /connections/{id}/posture/watch", { params: { id }, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: [...connectionKeys.detail(id), "posture"] }),
  });
}

/** Adopt: the planned change (changes nothing). */
export function useAdoptionPreview(id: string, body: { policyId: string; guardrailId: string; bodyHash: string } | null) {
  return useQuery({
    queryKey: [...connectionKeys.detail(id), "adopt-preview", body],
    queryFn: ({ signal }) => apiCall("POST /connections/{id}/posture/adopt/preview", { params: { id }, body: body!, signal }),
    enabled: !!body,
    retry: false,
  });
}

/** Adopt: asks a second member to approve the planned change. */
export function useRequestAdoption(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { policyId: string; guardrailId: string; bodyHash: string }) =>
      apiCall("POST /connections/{id}/posture/adopt", { params: { id }, body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: [...connectionKeys.detail(id), "posture"] });
      void qc.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody } from "@/modules/shared/lib/api";
import type { WorkspaceSettings } from "@/modules/shared/lib/contract";

const settingsKeys = {
  members: ["members"] as const,
  tokens: ["tokens"] as const,
  settings: ["settings"] as const,
};

export function useMembers() {
  return useQuery({
    queryKey: settingsKeys.members,
    queryFn: async ({ signal }) => {
      const r = await apiCall("GET /members", { signal });
      return { members: r.items, invitations: r.invitations ?? [] };
    },
  });
}

export function useInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /invitations">) => apiCall("POST /invitations", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useRevokeInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("DELETE /invitations/{id}", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useMemberMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, role }: { id: string; role: ApiBody<"PATCH /members/{id}">["role"] | null }): Promise<unknown> =>
      role === null
        ? apiCall("DELETE /members/{id}", { params: { id } })
        : apiCall("PATCH /members/{id}", { params: { id }, body: { role } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useTokens(enabled: boolean) {
  return useQuery({
    queryKey: settingsKeys.tokens,
    enabled,
    queryFn: async ({ signal }) => (await apiCall("GET /tokens", { signal })).items,
  });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /tokens">) => apiCall("POST /tokens", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.tokens }),
  });
}

export function useDeleteToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("DELETE /tokens/{id}", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.tokens }),
  });
}

export function useWorkspaceSettings() {
  return useQuery({ queryKey: settingsKeys.settings, queryFn: ({ signal }) => apiCall("GET /settings", { signal }) });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: WorkspaceSettings) =>
      apiCall("PATCH /settings", { body: { timezone: b.timezone, reportDay: b.reportDay, reportHour: b.reportHour } }),
    onSuccess: (s) => qc.setQueryData(settingsKeys.settings, s),
  });
}

/** Ends every session of a member (issue 18); the member is signed out at their next request. */
export function useEndMemberSessions() {
  return useMutation({ mutationFn: (id: string) => apiCall("DELETE /members/{id}/sessions", { params: { id } }) });
}

/**
 * Resets a member's second factor (issue 18): at once below owner; an owner's becomes an approval
 * request another owner decides (202 with the approval).
 */
export function useResetMemberMfa() {
  return useMutation({ mutationFn: (id: string) => apiCall("POST /members/{id}/mfa/reset", { params: { id } }) });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/modules/shared/lib/api";
import type { ApiToken, Invitation, Member, Page, WorkspaceSettings } from "@/modules/shared/lib/types";

const settingsKeys = {
  members: ["members"] as const,
  tokens: ["tokens"] as const,
  settings: ["settings"] as const,
};

function items<T>(r: Page<T> | T[] | { items: T[] }): T[] {
  return Array.isArray(r) ? r : r.items;
}

interface RawMember {
  id: string;
  role: Member["role"];
  user?: { id: string; email: string; name: string };
  email?: string;
  name?: string;
  joinedAt?: string;
}

function toMember(m: RawMember): Member {
  return { id: m.id, userId: m.user?.id, email: m.user?.email ?? m.email ?? "", name: m.user?.name ?? m.name, role: m.role, createdAt: m.joinedAt };
}

export function useMembers() {
  return useQuery({
    queryKey: settingsKeys.members,
    queryFn: async ({ signal }) => {
      const r = await api.get<{ items: RawMember[]; invitations?: Invitation[] }>("/members", undefined, signal);
      return { members: r.items.map(toMember), invitations: r.invitations ?? [] };
    },
  });
}

export function useInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { email: string; role: string }) => api.post<Invitation>("/invitations", b),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useRevokeInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<unknown>(`/invitations/${encodeURIComponent(id)}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useMemberMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: string | null }) =>
      role === null ? api.del<unknown>(`/members/${encodeURIComponent(id)}`) : api.patch<unknown>(`/members/${encodeURIComponent(id)}`, { role }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.members }),
  });
}

export function useTokens(enabled: boolean) {
  return useQuery({ queryKey: settingsKeys.tokens, enabled, queryFn: async ({ signal }) => items(await api.get<Page<ApiToken> | ApiToken[]>("/tokens", undefined, signal)) });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { name: string; role: string; expiresInDays?: number }) => api.post<{ token: string; id: string }>("/tokens", b),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.tokens }),
  });
}

export function useDeleteToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<unknown>(`/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: settingsKeys.tokens }),
  });
}

export function useWorkspaceSettings() {
  return useQuery({ queryKey: settingsKeys.settings, queryFn: ({ signal }) => api.get<WorkspaceSettings>("/settings", undefined, signal) });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: WorkspaceSettings) => api.patch<WorkspaceSettings>("/settings", { timezone: b.timezone, reportDay: b.reportDay, reportHour: b.reportHour }),
    onSuccess: (s) => qc.setQueryData(settingsKeys.settings, s),
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody } from "@/modules/shared/lib/api";

/** Query keys of Settings → Notifications; a channel's delivery log is keyed by the channel. */
const notificationKeys = {
  channels: ["notifications", "channels"] as const,
  rules: ["notifications", "rules"] as const,
  settings: ["notifications", "settings"] as const,
  deliveries: (channelId: string) => ["notifications", "deliveries", channelId] as const,
};

export function useChannels() {
  return useQuery({
    queryKey: notificationKeys.channels,
    queryFn: async ({ signal }) => (await apiCall("GET /notifications/channels", { signal })).items,
  });
}

export function useCreateChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /notifications/channels">) => apiCall("POST /notifications/channels", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.channels }),
  });
}

export function useUpdateChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ApiBody<"PATCH /notifications/channels/{id}"> }) =>
      apiCall("PATCH /notifications/channels/{id}", { params: { id }, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.channels }),
  });
}

export function useDeleteChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("DELETE /notifications/channels/{id}", { params: { id } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: notificationKeys.channels });
      void qc.invalidateQueries({ queryKey: notificationKeys.rules });
    },
  });
}

export function useTestChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("POST /notifications/channels/{id}/test", { params: { id } }),
    onSuccess: (_d, id) => void qc.invalidateQueries({ queryKey: notificationKeys.deliveries(id) }),
  });
}

/** The newest 50 deliveries of a channel; refreshed every few seconds while shown (sends land within seconds). */
export function useDeliveries(channelId: string | null) {
  return useQuery({
    queryKey: notificationKeys.deliveries(channelId ?? ""),
    enabled: channelId !== null,
    refetchInterval: 3_000,
    queryFn: async ({ signal }) =>
      (await apiCall("GET /notifications/channels/{id}/deliveries", { params: { id: channelId ?? "" }, query: { limit: 50 }, signal }))
        .items,
  });
}

export function useRules() {
  return useQuery({
    queryKey: notificationKeys.rules,
    queryFn: async ({ signal }) => (await apiCall("GET /notifications/rules", { signal })).items,
  });
}

export function useCreateRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /notifications/rules">) => apiCall("POST /notifications/rules", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.rules }),
  });
}

export function useUpdateRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ApiBody<"PATCH /notifications/rules/{id}"> }) =>
      apiCall("PATCH /notifications/rules/{id}", { params: { id }, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.rules }),
  });
}

export function useDeleteRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("DELETE /notifications/rules/{id}", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.rules }),
  });
}

export function useNotificationSettings() {
  return useQuery({ queryKey: notificationKeys.settings, queryFn: ({ signal }) => apiCall("GET /notifications/settings", { signal }) });
}

export function useSaveNotificationSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"PATCH /notifications/settings">) => apiCall("PATCH /notifications/settings", { body }),
    onSuccess: (s) => qc.setQueryData(notificationKeys.settings, s),
  });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall } from "@/modules/shared/lib/api";
import { reportKeys } from "./query-keys";

export function useReportList() {
  return useQuery({ queryKey: reportKeys.list(), queryFn: ({ signal }) => apiCall("GET /reports", { signal }) });
}

export function useReport(id: string) {
  return useQuery({ queryKey: reportKeys.detail(id), queryFn: ({ signal }) => apiCall("GET /reports/{id}", { params: { id }, signal }) });
}

/** This week's report built now (nothing stored), for the preview's title and subject. */
export function useReportPreview() {
  return useQuery({
    queryKey: reportKeys.preview(),
    queryFn: ({ signal }) => apiCall("GET /reports/preview", { query: { format: "json" }, signal }),
  });
}

export function useReportSchedule() {
  return useQuery({ queryKey: reportKeys.schedule(), queryFn: ({ signal }) => apiCall("GET /reports/schedule", { signal }) });
}

/** Managers get every subscription, others their own; `me` is the caller's address. */
export function useSubscriptions() {
  return useQuery({ queryKey: reportKeys.subscriptions(), queryFn: ({ signal }) => apiCall("GET /reports/subscriptions", { signal }) });
}

/** The caller's own subscription (null when there is none), from the same list. */
export function useMySubscription() {
  const q = useSubscriptions();
  const me = q.data?.me.toLowerCase();
  return { ...q, mine: q.data?.items.find((s) => s.email.toLowerCase() === me) ?? null };
}

/** Every report mutation can change what the page shows (a subscription, the schedule, a new report). */
function useReportMutation<A, R>(fn: (args: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: reportKeys.all }) });
}

export const useSubscribe = () =>
  useReportMutation((email?: string) => apiCall("POST /reports/subscriptions", { body: email ? { email } : {} }));

export const useSetSubscriptionActive = () =>
  useReportMutation(({ id, active }: { id: string; active: boolean }) =>
    apiCall("PATCH /reports/subscriptions/{id}", { params: { id }, body: { active } }),
  );

export const useDeleteSubscription = () =>
  useReportMutation((id: string) => apiCall("DELETE /reports/subscriptions/{id}", { params: { id } }));

export const useSendReportNow = () => useReportMutation((to: "me" | "subscribers") => apiCall("POST /reports/send-now", { body: { to } }));

export const useUpdateReportSchedule = () =>
  useReportMutation((body: { timezone: string; reportDay: number; reportHour: number }) => apiCall("PATCH /reports/schedule", { body }));

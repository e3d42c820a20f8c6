"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiCall, type ApiBody } from "@/modules/shared/lib/api";

const ssoKey = ["sso"] as const;

export function useSso() {
  return useQuery({ queryKey: ssoKey, queryFn: ({ signal }) => apiCall("GET /sso", { signal }) });
}

export function useRegisterOidc() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /sso/providers">) => apiCall("POST /sso/providers", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ssoKey }),
  });
}

export function useRegisterSaml() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"POST /sso/providers/saml">) => apiCall("POST /sso/providers/saml", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ssoKey }),
  });
}

export function useVerifyDomain() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("POST /sso/providers/{id}/verify", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ssoKey }),
  });
}

export function useDeleteProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiCall("DELETE /sso/providers/{id}", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ssoKey }),
  });
}

export function useSaveSsoPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiBody<"PATCH /sso">) => apiCall("PATCH /sso", { body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ssoKey }),
  });
}

const scimKey = ["scim"] as const;

export function useScim() {
  return useQuery({ queryKey: scimKey, queryFn: ({ signal }) => apiCall("GET /scim", { signal }) });
}

export function useCreateScimToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiCall("POST /scim/token"),
    onSuccess: () => void qc.invalidateQueries({ queryKey: scimKey }),
  });
}

export function useRevokeScimToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiCall("DELETE /scim/token"),
    onSuccess: () => void qc.invalidateQueries({ queryKey: scimKey }),
  });
}

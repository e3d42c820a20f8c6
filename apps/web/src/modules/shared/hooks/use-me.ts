"use client";
import { useQuery } from "@tanstack/react-query";
import { can, type Action, type Resource } from "@parapet/core/identity/roles";
import { apiCall } from "../lib/api";

const meKey = ["me"] as const;

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: ({ signal }) => apiCall("GET /me", { signal }), staleTime: 60_000 });
}

/**
 * Whether the signed-in member may do something. Hides controls the role cannot use; the API
 * still checks every request, so this is courtesy, not security. Unknown (still loading) is false.
 */
export function useCan<R extends Resource>(resource: R, action: Action<R>): boolean {
  const me = useMe();
  if (!me.data) return false;
  if (me.data.permissions.includes(`${resource}:${action}`)) return true;
  return can(me.data.role, resource, action);
}

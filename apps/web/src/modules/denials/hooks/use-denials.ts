"use client";
import { useQuery } from "@tanstack/react-query";
import { apiCall, type ApiQuery } from "@/modules/shared/lib/api";

export const denialKeys = {
  list: (q: ApiQuery<"GET /denials">) => ["denials", q] as const,
};

/** The newest denials matching the filters; refreshed every 15 s (the poll reads the clouds every minute). */
export function useDenials(q: ApiQuery<"GET /denials">) {
  return useQuery({
    queryKey: denialKeys.list(q),
    refetchInterval: 15_000,
    queryFn: ({ signal }) => apiCall("GET /denials", { query: q, signal }),
  });
}

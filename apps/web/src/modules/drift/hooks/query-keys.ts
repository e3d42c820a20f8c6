import type { ApiQuery } from "@/modules/shared/lib/api";

/** The finding list's filters: the route's query without its paging. */
export type DriftFilters = Omit<ApiQuery<"GET /drift">, "limit" | "cursor">;
export const driftKeys = {
  all: ["drift"] as const,
  list: (f: DriftFilters) => ["drift", "list", f] as const,
  detail: (id: string) => ["drift", "detail", id] as const,
};

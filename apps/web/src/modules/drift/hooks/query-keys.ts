export interface DriftFilters {
  status?: string;
  kind?: string;
  connectionId?: string;
  guardrailId?: string;
}
export const driftKeys = {
  all: ["drift"] as const,
  list: (f: DriftFilters) => ["drift", "list", f] as const,
  detail: (id: string) => ["drift", "detail", id] as const,
};

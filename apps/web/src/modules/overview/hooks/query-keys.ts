export const overviewKeys = {
  coverage: ["coverage", "overview"] as const,
  matrix: (filters: { connectionId?: string; status?: string }) => ["coverage", "matrix", filters] as const,
  timeline: (days: number) => ["drift", "timeline", days] as const,
  activity: (limit: number) => ["activity", limit] as const,
};

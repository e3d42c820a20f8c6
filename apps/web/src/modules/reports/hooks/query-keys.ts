export const reportKeys = {
  all: ["reports"] as const,
  list: () => ["reports", "list"] as const,
  detail: (id: string) => ["reports", "detail", id] as const,
  preview: () => ["reports", "preview"] as const,
  schedule: () => ["reports", "schedule"] as const,
  subscriptions: () => ["reports", "subscriptions"] as const,
};

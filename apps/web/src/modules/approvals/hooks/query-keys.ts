export const approvalKeys = {
  all: ["approvals"] as const,
  list: (status: string) => ["approvals", "list", status] as const,
  detail: (id: string) => ["approvals", "detail", id] as const,
};

export const connectionKeys = {
  all: ["connections"] as const,
  list: ["connections", "list"] as const,
  detail: (id: string) => ["connections", "detail", id] as const,
  bootstrap: (cloud: string) => ["connections", "bootstrap", cloud] as const,
  preview: (id: string) => ["connections", "preview", id] as const,
  nodes: (id: string, parentId: string | null, q: string) => ["connections", "nodes", id, parentId, q] as const,
};

export const nodeKeys = {
  connection: (connectionId: string) => ["nodes", connectionId] as const,
  children: (connectionId: string, parentId: string | null, q: string) => ["nodes", connectionId, parentId, q] as const,
  coverage: (connectionId: string, nodeId: string) => ["nodes", connectionId, "coverage", nodeId] as const,
};

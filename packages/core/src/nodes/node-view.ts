interface Row {
  id: string;
  externalId: string;
  kind: string;
  name: string;
  parentId: string | null;
  isEnvironment: boolean;
  connectionId: string;
  effectiveLabels: unknown;
  cloudLabels: unknown;
  labelOverrides: unknown;
  _count: { children: number };
}

export function nodeView(n: Row) {
  return {
    id: n.id,
    connectionId: n.connectionId,
    externalId: n.externalId,
    kind: n.kind,
    name: n.name,
    parentId: n.parentId,
    isEnvironment: n.isEnvironment,
    labels: n.effectiveLabels as Record<string, string>,
    cloudLabels: n.cloudLabels as Record<string, string>,
    labelOverrides: n.labelOverrides as Record<string, string | null>,
    childCount: n._count.children,
  };
}

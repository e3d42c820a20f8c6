import type { DiscoveredNode, Hierarchy } from "../contract/types.ts";
import { isActive, NO_RETRY, ONE_PAGE, type GcpContext } from "./context.ts";

/** The organization's active folders and projects (projects are the environments, their labels the labels). */
export async function discoverGcp(ctx: GcpContext): Promise<Hierarchy> {
  const [org] = await ctx.call("crm.GetOrganization", false, () => ctx.c.organizations.getOrganization({ name: ctx.org }, NO_RETRY));
  const folders: Array<{ name: string; parent: string; displayName: string }> = [];
  let token: string | undefined;
  do {
    const [page, , raw] = await ctx.call("crm.SearchFolders", false, () =>
      ctx.c.folders.searchFolders({ query: "", pageSize: ctx.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
    );
    for (const f of page) {
      if (f.name && f.parent && isActive(f.state)) folders.push({ name: f.name, parent: f.parent, displayName: f.displayName ?? f.name });
    }
    token = raw?.nextPageToken || undefined;
  } while (token);
  const projects: Array<{ name: string; parent: string; displayName: string; labels: Record<string, string> }> = [];
  do {
    const [page, , raw] = await ctx.call("crm.SearchProjects", false, () =>
      ctx.c.projects.searchProjects({ query: "", pageSize: ctx.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
    );
    for (const p of page) {
      if (p.name && p.parent && isActive(p.state)) {
        projects.push({
          name: p.name,
          parent: p.parent,
          displayName: p.displayName || p.projectId || p.name,
          labels: { ...(p.labels ?? {}) },
        });
      }
    }
    token = raw?.nextPageToken || undefined;
  } while (token);
  // Search answers with everything the caller can see, which may include other organizations:
  // keep only what descends from this one.
  const parentOf = new Map(folders.map((f) => [f.name, f.parent]));
  const inOrg = new Map<string, boolean>([[ctx.org, true]]);
  const reaches = (name: string): boolean => {
    const seen: string[] = [];
    let cur: string | undefined = name;
    while (cur !== undefined && !inOrg.has(cur) && seen.length <= folders.length) {
      seen.push(cur);
      cur = parentOf.get(cur);
    }
    const ok = cur !== undefined && inOrg.get(cur) === true;
    for (const s of seen) inOrg.set(s, ok);
    return ok;
  };
  const nodes: DiscoveredNode[] = [
    {
      externalId: ctx.org,
      kind: "organization",
      name: org.displayName || ctx.org,
      parentExternalId: null,
      isEnvironment: false,
      labels: {},
    },
  ];
  for (const f of folders) {
    if (reaches(f.name))
      nodes.push({ externalId: f.name, kind: "folder", name: f.displayName, parentExternalId: f.parent, isEnvironment: false, labels: {} });
  }
  for (const p of projects) {
    if (reaches(p.parent))
      nodes.push({
        externalId: p.name,
        kind: "project",
        name: p.displayName,
        parentExternalId: p.parent,
        isEnvironment: true,
        labels: p.labels,
      });
  }
  return { rootExternalId: ctx.org, nodes };
}

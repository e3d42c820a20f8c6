import { mapLimit } from "../common/concurrency.ts";
import type { DiscoveredNode, Hierarchy, NodeRead } from "../contract/types.ts";
import { isActive, isMissing, NO_RETRY, ONE_PAGE, type GcpContext } from "./context.ts";

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

const PROJECT = /^projects\/[a-z0-9-]{1,64}$/;
const FOLDER = /^folders\/\d{1,32}$/;

/**
 * Targeted discovery for Cloud Audit Log events (Resource Manager's Admin Activity entries, whose
 * `protoPayload.resourceName` is `projects/<number>` or `folders/<id>`:
 * https://cloud.google.com/resource-manager/docs/audit-logging). One GetProject or GetFolder per node
 * (parent, display name, labels, state). A project or folder being deleted (state other than ACTIVE) or
 * not found reads as gone; one whose ancestry leaves this organization is placed under its foreign
 * parent, which reads as gone, so core never attaches it to our tree (it asks for a full sweep instead).
 * PERMISSION_DENIED — what Google answers for a resource the caller cannot see, including one of another
 * organization — is not taken for "gone": it throws, and the reconcile falls back to a full sweep.
 */
export async function discoverGcpNodes(ctx: GcpContext, externalIds: readonly string[]): Promise<NodeRead[]> {
  const read = async (name: string): Promise<DiscoveredNode | null> => {
    if (name === ctx.org) {
      const [org] = await ctx.call("crm.GetOrganization", false, () => ctx.c.organizations.getOrganization({ name }, NO_RETRY));
      return {
        externalId: name,
        kind: "organization",
        name: org.displayName || name,
        parentExternalId: null,
        isEnvironment: false,
        labels: {},
      };
    }
    if (PROJECT.test(name)) {
      const [p] = await ctx.call("crm.GetProject", false, () => ctx.c.projects.getProject({ name }, NO_RETRY));
      if (!p.name || !p.parent || !isActive(p.state)) return null;
      return {
        externalId: p.name,
        kind: "project",
        name: p.displayName || p.projectId || p.name,
        parentExternalId: p.parent,
        isEnvironment: true,
        labels: { ...(p.labels ?? {}) },
      };
    }
    if (FOLDER.test(name)) {
      const [f] = await ctx.call("crm.GetFolder", false, () => ctx.c.folders.getFolder({ name }, NO_RETRY));
      if (!f.name || !f.parent || !isActive(f.state)) return null;
      return {
        externalId: f.name,
        kind: "folder",
        name: f.displayName ?? f.name,
        parentExternalId: f.parent,
        isEnvironment: false,
        labels: {},
      };
    }
    // Another organization, or no resource-manager name at all.
    return null;
  };
  return mapLimit([...new Set(externalIds)], ctx.concurrency, async (externalId) => {
    try {
      return { externalId, node: await read(externalId) };
    } catch (e) {
      if (isMissing(e)) return { externalId, node: null };
      throw e;
    }
  });
}

import { type Ctx, authorize, CRM, hasPermission } from "./core.ts";
import { GcpError, invalid } from "./errors.ts";
import type { Project } from "./model.ts";
import { type Json, obj, optStr, paginate, strMap, withToken } from "./wire.ts";
import { SERVICE, M, projectWire, lro, getProjectOr403, requiredParent, showDeleted, setState } from "./crm-common.ts";
import { parseQuery, projectMatches } from "./crm-search.ts";
import { doCreateProject, doMoveProject, doUpdateProject } from "./crm-mutations.ts";

// ---------------------------------------------------------------- handlers: projects

export function listProjects(ctx: Ctx): Json {
  const parent = requiredParent(ctx, "resourcemanager.projects.list");
  const st = ctx.core.state;
  const all = [...(st.childProjects.get(parent) ?? [])]
    .map((n) => st.projects.get(n))
    .filter((p): p is Project => !!p && (p.state === "ACTIVE" || showDeleted(ctx.query)))
    .sort((a, b) => a.projectId.localeCompare(b.projectId));
  const page = paginate(all, ctx.query, `projects:${parent}:${showDeleted(ctx.query)}`, ctx.core.limits);
  return withToken({ projects: page.items.map((p) => projectWire(p, ctx.intEnums)) }, page.nextPageToken);
}

export function searchProjects(ctx: Ctx): Json {
  const terms = parseQuery(ctx.query.get("query"));
  if (!hasPermission(ctx.principal, "resourcemanager.projects.get")) return {};
  const wantsState = terms.some((t) => t.key === "state" || t.key === "lifecycleState");
  const all = [...ctx.core.state.projects.values()]
    .filter((p) => (wantsState || p.state === "ACTIVE") && projectMatches(p, terms))
    .sort((a, b) => a.projectId.localeCompare(b.projectId));
  const page = paginate(all, ctx.query, `searchProjects:${ctx.query.get("query") ?? ""}`, ctx.core.limits);
  return withToken({ projects: page.items.map((p) => projectWire(p, ctx.intEnums)) }, page.nextPageToken);
}

export function getProject(ctx: Ctx, ref?: string): Json {
  return projectWire(getProjectOr403(ctx, ref, "resourcemanager.projects.get"), ctx.intEnums);
}

export function createProject(ctx: Ctx): Json {
  const body = obj(ctx.body, "project");
  const parent = optStr(body, "parent", "project.parent");
  if (!parent) throw invalid("project.parent is required.", "project.parent");
  authorize(ctx, "resourcemanager.projects.create", CRM + parent);
  const projectId = optStr(body, "projectId", "project.project_id");
  if (!projectId) throw invalid("project.project_id is required.", "project.project_id");
  const p = doCreateProject(
    ctx.core,
    {
      projectId,
      parent,
      displayName: optStr(body, "displayName", "project.display_name"),
      labels: strMap(body, "labels", "project.labels"),
    },
    ctx.principal.email,
  );
  return lro(
    ctx.core,
    "cp",
    "CreateProjectMetadata",
    { createTime: p.createTime, gettable: true, ready: true },
    "Project",
    projectWire(p, ctx.intEnums),
  );
}

export function updateProject(ctx: Ctx, ref?: string): Json {
  const p = getProjectOr403(ctx, ref, "resourcemanager.projects.update");
  const body = obj(ctx.body, "project");
  const maskRaw = ctx.query.get("updateMask");
  const mask = maskRaw ? maskRaw.split(",").filter(Boolean) : ["display_name", "labels"];
  const changes: { labels?: Record<string, string>; displayName?: string } = {};
  for (const m of mask) {
    if (m === "labels") changes.labels = strMap(body, "labels", "project.labels");
    else if (m.startsWith("labels.")) {
      changes.labels = { ...(changes.labels ?? p.labels) };
      const v = strMap(body, "labels", "project.labels")[m.slice(7)];
      if (v === undefined) delete changes.labels[m.slice(7)];
      else changes.labels[m.slice(7)] = v;
    } else if (m === "display_name" || m === "displayName") {
      const d = optStr(body, "displayName", "project.display_name");
      if (d !== undefined || maskRaw) changes.displayName = d ?? "";
    } else throw invalid(`update_mask: field "${m}" cannot be updated.`, "update_mask");
  }
  doUpdateProject(ctx.core, p, changes, ctx.principal.email);
  return lro(ctx.core, "cp", "UpdateProjectMetadata", {}, "Project", projectWire(p, ctx.intEnums));
}

export function moveProject(ctx: Ctx, ref?: string): Json {
  const p = getProjectOr403(ctx, ref, "resourcemanager.projects.move");
  const body = obj(ctx.body, "request");
  const dest = optStr(body, "destinationParent", "destination_parent");
  if (!dest) throw invalid("destination_parent is required.", "destination_parent");
  authorize(ctx, "resourcemanager.projects.create", CRM + dest);
  doMoveProject(ctx.core, p, dest, ctx.principal.email);
  return lro(ctx.core, "cp", "MoveProjectMetadata", {}, "Project", projectWire(p, ctx.intEnums));
}

export function deleteProject(ctx: Ctx, ref?: string): Json {
  const p = getProjectOr403(ctx, ref, "resourcemanager.projects.delete");
  if (p.state !== "ACTIVE") throw new GcpError("FAILED_PRECONDITION", `Project ${p.projectId} is already scheduled for deletion.`);
  setState(p, "DELETE_REQUESTED");
  ctx.core.changed();
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "Projects.DeleteProject",
    resourceName: `projects/${p.number}`,
    container: `projects/${p.number}`,
    principalEmail: ctx.principal.email,
    permission: "resourcemanager.projects.delete",
  });
  return lro(ctx.core, "cp", "DeleteProjectMetadata", {}, "Project", projectWire(p, ctx.intEnums));
}

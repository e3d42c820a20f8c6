import { randomBytes } from "node:crypto";
import { type Ctx, type GcpCore, authorize, CRM, hasPermission, operationWire } from "./core.ts";
import { alreadyExists, GcpError, invalid, notFound, permissionDenied, precondition } from "./errors.ts";
import { type Folder, type LifecycleState, type Project, newEtag, now } from "./model.ts";
import { type Json, enumOut, obj, optStr, paginate, strMap, withToken } from "./wire.ts";

const SERVICE = "cloudresourcemanager.googleapis.com";
const T = "type.googleapis.com/google.cloud.resourcemanager.v3.";
const M = "google.cloud.resourcemanager.v3.";
const STATES = ["STATE_UNSPECIFIED", "ACTIVE", "DELETE_REQUESTED"] as const;

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const FOLDER_NAME = /^[\p{L}\p{N}]([\p{L}\p{N}_\- ]{0,28}[\p{L}\p{N}])?$/u;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

// ---------------------------------------------------------------- wire forms

export function orgWire(core: GcpCore, intEnums: boolean): Json {
  const o = core.state.org;
  return {
    name: `organizations/${o.id}`,
    displayName: o.displayName,
    directoryCustomerId: o.directoryCustomerId,
    state: enumOut(intEnums, STATES, "ACTIVE"),
    createTime: o.createTime,
    updateTime: o.updateTime,
    etag: o.etag,
  };
}

export function folderWire(f: Folder, intEnums: boolean): Json {
  return {
    name: `folders/${f.id}`,
    parent: f.parent,
    displayName: f.displayName,
    state: enumOut(intEnums, STATES, f.state),
    createTime: f.createTime,
    updateTime: f.updateTime,
    etag: f.etag,
  };
}

export function projectWire(p: Project, intEnums: boolean): Json {
  return {
    name: `projects/${p.number}`,
    parent: p.parent,
    projectId: p.projectId,
    state: enumOut(intEnums, STATES, p.state),
    displayName: p.displayName,
    createTime: p.createTime,
    updateTime: p.updateTime,
    etag: p.etag,
    labels: p.labels,
  };
}

// ---------------------------------------------------------------- shared mutations (API and admin)

function checkParent(core: GcpCore, parent: string | undefined, field: string): string {
  if (!parent) throw invalid(`${field} is required.`, field);
  if (!/^(organizations|folders)\/[0-9]+$/.test(parent)) {
    throw invalid(`${field} must be organizations/{id} or folders/{id}, got "${parent}".`, field);
  }
  if (!core.state.containerExists(parent)) throw permissionDenied("resourcemanager.projects.create", CRM + parent);
  return parent;
}

export function validateLabels(labels: Record<string, string>, field = "project.labels"): void {
  const keys = Object.keys(labels);
  if (keys.length > 64) throw invalid(`${field}: at most 64 labels are allowed.`, field);
  for (const k of keys) {
    if (!LABEL_KEY.test(k)) throw invalid(`${field}: invalid label key "${k}".`, field);
    if (!LABEL_VALUE.test(labels[k] ?? "")) throw invalid(`${field}: invalid value for label "${k}".`, field);
  }
}

export interface ProjectInput {
  projectId: string;
  parent: string;
  displayName?: string;
  labels?: Record<string, string>;
}

export function doCreateProject(core: GcpCore, input: ProjectInput, actor: string): Project {
  const st = core.state;
  if (!PROJECT_ID.test(input.projectId)) {
    throw invalid(
      `project.project_id "${input.projectId}" must be 6 to 30 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen.`,
      "project.project_id",
    );
  }
  checkParent(core, input.parent, "project.parent");
  const displayName = input.displayName ?? input.projectId;
  if (displayName.length > 30) throw invalid("project.display_name must be at most 30 characters.", "project.display_name");
  const labels = input.labels ?? {};
  validateLabels(labels);
  if (st.projectIdToNumber.has(input.projectId)) throw alreadyExists("Requested entity already exists");
  const t = now();
  const p: Project = {
    number: st.allocId(),
    projectId: input.projectId,
    parent: input.parent,
    displayName,
    labels,
    state: "ACTIVE",
    createTime: t,
    updateTime: t,
    etag: newEtag(input.projectId),
  };
  st.addProject(p);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "Projects.CreateProject",
    resourceName: `projects/${p.number}`,
    container: `projects/${p.number}`,
    principalEmail: actor,
    permission: "resourcemanager.projects.create",
    request: { project: { projectId: p.projectId, parent: p.parent, displayName, labels } },
    response: projectWire(p, false),
  });
  return p;
}

export function doMoveProject(core: GcpCore, p: Project, destination: string, actor: string): Project {
  checkParent(core, destination, "destination_parent");
  const from = p.parent;
  core.state.moveProject(p, destination);
  p.updateTime = now();
  p.etag = newEtag(p.projectId);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "Projects.MoveProject",
    resourceName: `projects/${p.number}`,
    container: `projects/${p.number}`,
    principalEmail: actor,
    permission: "resourcemanager.projects.move",
    request: { name: `projects/${p.number}`, destinationParent: destination, sourceParent: from },
    response: projectWire(p, false),
  });
  return p;
}

export function doUpdateProject(
  core: GcpCore,
  p: Project,
  changes: { labels?: Record<string, string>; displayName?: string },
  actor: string,
): Project {
  if (changes.labels) validateLabels(changes.labels);
  if (changes.displayName !== undefined && (changes.displayName.length === 0 || changes.displayName.length > 30)) {
    throw invalid("project.display_name must be 1 to 30 characters.", "project.display_name");
  }
  if (changes.labels) p.labels = changes.labels;
  if (changes.displayName !== undefined) p.displayName = changes.displayName;
  p.updateTime = now();
  p.etag = newEtag(p.projectId);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "Projects.UpdateProject",
    resourceName: `projects/${p.number}`,
    container: `projects/${p.number}`,
    principalEmail: actor,
    permission: "resourcemanager.projects.update",
    request: { project: { name: `projects/${p.number}`, ...changes } },
    response: projectWire(p, false),
  });
  return p;
}

function checkFolderName(core: GcpCore, parent: string, displayName: string, self?: string): void {
  if (!FOLDER_NAME.test(displayName)) {
    throw invalid(
      `folder.display_name "${displayName}" must be 1 to 30 letters, digits, spaces, hyphens or underscores, starting and ending with a letter or digit.`,
      "folder.display_name",
    );
  }
  for (const id of core.state.childFolders.get(parent) ?? []) {
    const f = core.state.folders.get(id);
    if (f && f.id !== self && f.state === "ACTIVE" && f.displayName === displayName) {
      throw precondition(
        `A folder named "${displayName}" already exists under ${parent}.`,
        "FOLDER_NAME_UNIQUENESS_VIOLATION",
        parent,
      );
    }
  }
}

export function doCreateFolder(core: GcpCore, parent: string, displayName: string, actor: string): Folder {
  const st = core.state;
  if (!/^(organizations|folders)\/[0-9]+$/.test(parent)) throw invalid(`folder.parent must be organizations/{id} or folders/{id}.`, "folder.parent");
  if (!st.containerExists(parent)) throw permissionDenied("resourcemanager.folders.create", CRM + parent);
  checkFolderName(core, parent, displayName);
  const depth = parent.startsWith("folders/") ? st.folderDepth(parent.slice(8)) + 1 : 1;
  if (depth > core.limits.folderDepth) {
    throw precondition(`Folders can be nested at most ${core.limits.folderDepth} levels deep.`, "FOLDER_HEIGHT_VIOLATION", parent);
  }
  if ((st.childFolders.get(parent)?.size ?? 0) >= core.limits.foldersPerParent) {
    throw precondition(`${parent} already has ${core.limits.foldersPerParent} folders.`, "MAX_CHILD_FOLDERS_VIOLATION", parent);
  }
  const t = now();
  const f: Folder = { id: st.allocId(), parent, displayName, state: "ACTIVE", createTime: t, updateTime: t, etag: newEtag(displayName) };
  st.addFolder(f);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "Folders.CreateFolder",
    resourceName: `folders/${f.id}`,
    container: `folders/${f.id}`,
    principalEmail: actor,
    permission: "resourcemanager.folders.create",
    request: { folder: { parent, displayName } },
    response: folderWire(f, false),
  });
  return f;
}

export function doMoveFolder(core: GcpCore, f: Folder, destination: string, actor: string): Folder {
  const st = core.state;
  if (!/^(organizations|folders)\/[0-9]+$/.test(destination) || !st.containerExists(destination)) {
    throw permissionDenied("resourcemanager.folders.move", CRM + destination);
  }
  if (st.ancestry(destination).includes(`folders/${f.id}`)) {
    throw precondition(`Cannot move folders/${f.id} under itself or one of its descendants.`, "FOLDER_TO_DESCENDANT_MOVE_VIOLATION", `folders/${f.id}`);
  }
  checkFolderName(core, destination, f.displayName, f.id);
  const destDepth = destination.startsWith("folders/") ? st.folderDepth(destination.slice(8)) : 0;
  if (destDepth + st.folderHeight(f.id) > core.limits.folderDepth) {
    throw precondition(`The move would nest folders deeper than ${core.limits.folderDepth} levels.`, "FOLDER_HEIGHT_VIOLATION", destination);
  }
  const from = f.parent;
  st.moveFolder(f, destination);
  f.updateTime = now();
  f.etag = newEtag(f.displayName);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "Folders.MoveFolder",
    resourceName: `folders/${f.id}`,
    container: `folders/${f.id}`,
    principalEmail: actor,
    permission: "resourcemanager.folders.move",
    request: { name: `folders/${f.id}`, destinationParent: destination, sourceParent: from },
    response: folderWire(f, false),
  });
  return f;
}

// ---------------------------------------------------------------- helpers

function opName(kind: "cf" | "cp"): string {
  return `operations/${kind}.${BigInt("0x" + randomBytes(8).toString("hex")).toString()}`;
}

function lro(core: GcpCore, kind: "cf" | "cp", metaType: string, meta: Json, responseType: string, response: Json): Json {
  return core.startOperation(opName(kind), { "@type": T + metaType, ...meta }, { response: { "@type": T + responseType, ...response } });
}

function getFolderOr403(ctx: Ctx, id: string | undefined, permission: string): Folder {
  const shown = `${CRM}folders/${id ?? ""}`;
  authorize(ctx, permission, shown);
  const f = ctx.core.state.folders.get(id ?? "");
  if (!f) throw permissionDenied(permission, shown);
  return f;
}

function getProjectOr403(ctx: Ctx, ref: string | undefined, permission: string): Project {
  const shown = `${CRM}projects/${ref ?? ""}`;
  authorize(ctx, permission, shown);
  const p = ctx.core.state.findProject(ref ?? "");
  if (!p) throw permissionDenied(permission, shown);
  return p;
}

function requiredParent(ctx: Ctx, permission: string): string {
  const parent = ctx.query.get("parent");
  if (!parent) throw invalid("parent is required.", "parent");
  if (!/^(organizations|folders)\/[^/]+$/.test(parent)) throw invalid(`parent must be organizations/{id} or folders/{id}, got "${parent}".`, "parent");
  authorize(ctx, permission, CRM + parent);
  if (!ctx.core.state.containerExists(parent)) throw permissionDenied(permission, CRM + parent);
  return parent;
}

const showDeleted = (q: URLSearchParams): boolean => q.get("showDeleted") === "true";

// ---------------------------------------------------------------- search query

interface Term {
  key: string;
  value: string;
}

function parseQuery(q: string | null): Term[] {
  if (!q || !q.trim()) return [];
  const terms: Term[] = [];
  const re = /\s*([A-Za-z_.][A-Za-z0-9_.-]*)\s*([:=])\s*("([^"]*)"|'([^']*)'|[^\s]+)/y;
  let pos = 0;
  const src = q.trim();
  while (pos < src.length) {
    if (/^\s*AND\s/i.test(src.slice(pos))) {
      pos += /^\s*AND\s/i.exec(src.slice(pos))?.[0].length ?? 0;
      continue;
    }
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw invalid(`Invalid query "${q}".`, "query");
    terms.push({ key: m[1] ?? "", value: m[4] ?? m[5] ?? m[3] ?? "" });
    pos = re.lastIndex;
  }
  return terms;
}

function matchValue(actual: string | undefined, pattern: string): boolean {
  if (actual === undefined) return false;
  if (pattern === "*") return true;
  const a = actual.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith("*") && p.endsWith("*") && p.length > 1) return a.includes(p.slice(1, -1));
  if (p.endsWith("*")) return a.startsWith(p.slice(0, -1));
  if (p.startsWith("*")) return a.endsWith(p.slice(1));
  return a === p;
}

function projectMatches(p: Project, terms: Term[]): boolean {
  for (const t of terms) {
    const k = t.key;
    let ok: boolean;
    if (k === "id" || k === "projectId") ok = matchValue(p.projectId, t.value);
    else if (k === "name" || k === "displayName") ok = matchValue(p.displayName, t.value);
    else if (k === "projectNumber" || k === "number") ok = matchValue(p.number, t.value);
    else if (k === "parent") ok = matchValue(p.parent, t.value);
    else if (k === "parent.type") ok = matchValue(p.parent.split("/")[0]?.replace(/s$/, ""), t.value);
    else if (k === "parent.id") ok = matchValue(p.parent.split("/")[1], t.value);
    else if (k === "state" || k === "lifecycleState") ok = matchValue(p.state, t.value);
    else if (k.startsWith("labels.")) ok = matchValue(p.labels[k.slice(7)], t.value);
    else throw invalid(`Unsupported search field "${k}".`, "query");
    if (!ok) return false;
  }
  return true;
}

function folderMatches(f: Folder, terms: Term[]): boolean {
  for (const t of terms) {
    let ok: boolean;
    if (t.key === "displayName" || t.key === "name") ok = matchValue(f.displayName, t.value);
    else if (t.key === "parent") ok = matchValue(f.parent, t.value);
    else if (t.key === "state" || t.key === "lifecycleState") ok = matchValue(f.state, t.value);
    else throw invalid(`Unsupported search field "${t.key}".`, "query");
    if (!ok) return false;
  }
  return true;
}

// ---------------------------------------------------------------- handlers: organizations

export function getOrganization(ctx: Ctx, id?: string): Json {
  const shown = `${CRM}organizations/${id ?? ""}`;
  authorize(ctx, "resourcemanager.organizations.get", shown);
  if (id !== ctx.core.state.org.id) throw permissionDenied("resourcemanager.organizations.get", shown);
  return orgWire(ctx.core, ctx.intEnums);
}

export function searchOrganizations(ctx: Ctx): Json {
  const terms = parseQuery(ctx.query.get("query"));
  const o = ctx.core.state.org;
  const visible = hasPermission(ctx.principal, "resourcemanager.organizations.get");
  const match =
    visible &&
    terms.every((t) => {
      if (t.key === "domain" || t.key === "displayName") return matchValue(o.displayName, t.value);
      if (t.key === "directoryCustomerId" || t.key === "owner.directorycustomerid") return matchValue(o.directoryCustomerId, t.value);
      throw invalid(`Unsupported search field "${t.key}".`, "query");
    });
  return match ? { organizations: [orgWire(ctx.core, ctx.intEnums)] } : {};
}

/**
 * `organizations/{id}:testIamPermissions`: which of the asked permissions the caller holds on the
 * organization. Google requires no permission for this call and answers only with the granted subset,
 * which is how a connector probes its own grants without writing anything.
 */
export function testOrganizationIamPermissions(ctx: Ctx, id?: string): Json {
  if (id !== ctx.core.state.org.id) {
    throw permissionDenied("resourcemanager.organizations.get", `${CRM}organizations/${id ?? ""}`);
  }
  const body = obj(ctx.body, "request");
  const asked = body.permissions;
  if (!Array.isArray(asked) || asked.some((x) => typeof x !== "string")) {
    throw invalid("permissions must be a list of strings.", "permissions");
  }
  if (asked.length > 100) throw invalid("permissions: at most 100 permissions can be tested at once.", "permissions");
  const granted = [...new Set(asked as string[])].filter((p) => hasPermission(ctx.principal, p));
  return granted.length ? { permissions: granted } : {};
}

// ---------------------------------------------------------------- handlers: folders

export function listFolders(ctx: Ctx): Json {
  const parent = requiredParent(ctx, "resourcemanager.folders.list");
  const st = ctx.core.state;
  const all = [...(st.childFolders.get(parent) ?? [])]
    .map((id) => st.folders.get(id))
    .filter((f): f is Folder => !!f && (f.state === "ACTIVE" || showDeleted(ctx.query)))
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  const page = paginate(all, ctx.query, `folders:${parent}:${showDeleted(ctx.query)}`, ctx.core.limits);
  return withToken({ folders: page.items.map((f) => folderWire(f, ctx.intEnums)) }, page.nextPageToken);
}

export function searchFolders(ctx: Ctx): Json {
  const terms = parseQuery(ctx.query.get("query"));
  if (!hasPermission(ctx.principal, "resourcemanager.folders.get")) return {};
  const wantsState = terms.some((t) => t.key === "state" || t.key === "lifecycleState");
  const all = [...ctx.core.state.folders.values()]
    .filter((f) => (wantsState || f.state === "ACTIVE") && folderMatches(f, terms))
    .sort((a, b) => a.id.localeCompare(b.id));
  const page = paginate(all, ctx.query, `searchFolders:${ctx.query.get("query") ?? ""}`, ctx.core.limits);
  return withToken({ folders: page.items.map((f) => folderWire(f, ctx.intEnums)) }, page.nextPageToken);
}

export function getFolder(ctx: Ctx, id?: string): Json {
  return folderWire(getFolderOr403(ctx, id, "resourcemanager.folders.get"), ctx.intEnums);
}

export function createFolder(ctx: Ctx): Json {
  const body = obj(ctx.body, "folder");
  const parent = optStr(body, "parent", "folder.parent");
  if (!parent) throw invalid("folder.parent is required.", "folder.parent");
  authorize(ctx, "resourcemanager.folders.create", CRM + parent);
  const displayName = optStr(body, "displayName", "folder.display_name") ?? "";
  const f = doCreateFolder(ctx.core, parent, displayName, ctx.principal.email);
  return lro(ctx.core, "cf", "CreateFolderMetadata", { displayName, parent }, "Folder", folderWire(f, ctx.intEnums));
}

export function updateFolder(ctx: Ctx, id?: string): Json {
  const f = getFolderOr403(ctx, id, "resourcemanager.folders.update");
  const body = obj(ctx.body, "folder");
  const mask = (ctx.query.get("updateMask") ?? "").split(",").filter(Boolean);
  if (mask.length === 0) throw invalid("update_mask is required.", "update_mask");
  for (const m of mask) if (m !== "display_name" && m !== "displayName") throw invalid(`update_mask: field "${m}" cannot be updated.`, "update_mask");
  const displayName = optStr(body, "displayName", "folder.display_name") ?? "";
  checkFolderName(ctx.core, f.parent, displayName, f.id);
  f.displayName = displayName;
  f.updateTime = now();
  f.etag = newEtag(displayName);
  ctx.core.changed();
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "Folders.UpdateFolder",
    resourceName: `folders/${f.id}`,
    container: `folders/${f.id}`,
    principalEmail: ctx.principal.email,
    permission: "resourcemanager.folders.update",
    request: { folder: { name: `folders/${f.id}`, displayName }, updateMask: mask.join(",") },
    response: folderWire(f, false),
  });
  return lro(ctx.core, "cf", "UpdateFolderMetadata", {}, "Folder", folderWire(f, ctx.intEnums));
}

export function moveFolder(ctx: Ctx, id?: string): Json {
  const f = getFolderOr403(ctx, id, "resourcemanager.folders.move");
  const body = obj(ctx.body, "request");
  const dest = optStr(body, "destinationParent", "destination_parent");
  if (!dest) throw invalid("destination_parent is required.", "destination_parent");
  const source = f.parent;
  doMoveFolder(ctx.core, f, dest, ctx.principal.email);
  return lro(
    ctx.core,
    "cf",
    "MoveFolderMetadata",
    { displayName: f.displayName, sourceParent: source, destinationParent: dest },
    "Folder",
    folderWire(f, ctx.intEnums),
  );
}

export function deleteFolder(ctx: Ctx, id?: string): Json {
  const f = getFolderOr403(ctx, id, "resourcemanager.folders.delete");
  const st = ctx.core.state;
  const name = `folders/${f.id}`;
  const activeChildFolder = [...(st.childFolders.get(name) ?? [])].some((c) => st.folders.get(c)?.state === "ACTIVE");
  const activeChildProject = [...(st.childProjects.get(name) ?? [])].some((c) => st.projects.get(c)?.state === "ACTIVE");
  if (activeChildFolder || activeChildProject) {
    throw precondition(`Folder ${name} is not empty.`, "FOLDER_NOT_EMPTY_VIOLATION", name);
  }
  setState(f, "DELETE_REQUESTED");
  ctx.core.changed();
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "Folders.DeleteFolder",
    resourceName: name,
    container: name,
    principalEmail: ctx.principal.email,
    permission: "resourcemanager.folders.delete",
  });
  return lro(ctx.core, "cf", "DeleteFolderMetadata", {}, "Folder", folderWire(f, ctx.intEnums));
}

function setState(x: { state: LifecycleState; updateTime: string; etag: string }, s: LifecycleState): void {
  x.state = s;
  x.updateTime = now();
  x.etag = newEtag(s);
}

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
    { projectId, parent, displayName: optStr(body, "displayName", "project.display_name"), labels: strMap(body, "labels", "project.labels") },
    ctx.principal.email,
  );
  return lro(ctx.core, "cp", "CreateProjectMetadata", { createTime: p.createTime, gettable: true, ready: true }, "Project", projectWire(p, ctx.intEnums));
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

/** GetOperation for any stored operation (Resource Manager `operations/**` and IAM `policies/.../operations/*`). */
export function getOperation(ctx: Ctx, name: string): Json {
  const op = ctx.core.state.operations.get(name);
  if (!op) throw notFound(`Operation ${name} was not found.`);
  if (op.pollsLeft > 0) op.pollsLeft--;
  return operationWire(op, op.pollsLeft <= 0);
}

import { type Ctx, authorize, CRM, hasPermission } from "./core.ts";
import { invalid, precondition } from "./errors.ts";
import { type Folder, newEtag, now } from "./model.ts";
import { type Json, obj, optStr, paginate, withToken } from "./wire.ts";
import { SERVICE, M, folderWire, lro, getFolderOr403, requiredParent, showDeleted, setState } from "./crm-common.ts";
import { parseQuery, folderMatches } from "./crm-search.ts";
import { doCreateFolder, doMoveFolder, checkFolderName } from "./crm-mutations.ts";

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
  for (const m of mask)
    if (m !== "display_name" && m !== "displayName") throw invalid(`update_mask: field "${m}" cannot be updated.`, "update_mask");
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

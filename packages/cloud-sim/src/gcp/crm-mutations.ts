import { type GcpCore, CRM } from "./core.ts";
import { alreadyExists, invalid, permissionDenied, precondition } from "./errors.ts";
import { type Folder, type Project, newEtag, now } from "./model.ts";
import { SERVICE, M, PROJECT_ID, FOLDER_NAME, LABEL_KEY, LABEL_VALUE, folderWire, projectWire } from "./crm-common.ts";

// ---------------------------------------------------------------- shared mutations (API and admin)

function checkParent(core: GcpCore, parent: string | undefined, field: string): string {
  if (!parent) throw invalid(`${field} is required.`, field);
  if (!/^(organizations|folders)\/[0-9]+$/.test(parent)) {
    throw invalid(`${field} must be organizations/{id} or folders/{id}, got "${parent}".`, field);
  }
  if (!core.state.containerExists(parent)) throw permissionDenied("resourcemanager.projects.create", CRM + parent);
  return parent;
}

function validateLabels(labels: Record<string, string>, field = "project.labels"): void {
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

export function checkFolderName(core: GcpCore, parent: string, displayName: string, self?: string): void {
  if (!FOLDER_NAME.test(displayName)) {
    throw invalid(
      `folder.display_name "${displayName}" must be 1 to 30 letters, digits, spaces, hyphens or underscores, starting and ending with a letter or digit.`,
      "folder.display_name",
    );
  }
  for (const id of core.state.childFolders.get(parent) ?? []) {
    const f = core.state.folders.get(id);
    if (f && f.id !== self && f.state === "ACTIVE" && f.displayName === displayName) {
      throw precondition(`A folder named "${displayName}" already exists under ${parent}.`, "FOLDER_NAME_UNIQUENESS_VIOLATION", parent);
    }
  }
}

export function doCreateFolder(core: GcpCore, parent: string, displayName: string, actor: string): Folder {
  const st = core.state;
  if (!/^(organizations|folders)\/[0-9]+$/.test(parent))
    throw invalid(`folder.parent must be organizations/{id} or folders/{id}.`, "folder.parent");
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
    throw precondition(
      `Cannot move folders/${f.id} under itself or one of its descendants.`,
      "FOLDER_TO_DESCENDANT_MOVE_VIOLATION",
      `folders/${f.id}`,
    );
  }
  checkFolderName(core, destination, f.displayName, f.id);
  const destDepth = destination.startsWith("folders/") ? st.folderDepth(destination.slice(8)) : 0;
  if (destDepth + st.folderHeight(f.id) > core.limits.folderDepth) {
    throw precondition(
      `The move would nest folders deeper than ${core.limits.folderDepth} levels.`,
      "FOLDER_HEIGHT_VIOLATION",
      destination,
    );
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

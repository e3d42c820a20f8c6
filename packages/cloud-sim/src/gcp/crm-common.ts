import { randomBytes } from "node:crypto";
import { type Ctx, type GcpCore, authorize, CRM, operationWire } from "./core.ts";
import { invalid, notFound, permissionDenied } from "./errors.ts";
import { type Folder, type LifecycleState, type Project, newEtag, now } from "./model.ts";
import { type Json, enumOut } from "./wire.ts";

// What the Resource Manager parts share: names, enums and id patterns, wire forms, LROs and lookups.

export const SERVICE = "cloudresourcemanager.googleapis.com";
const T = "type.googleapis.com/google.cloud.resourcemanager.v3.";
export const M = "google.cloud.resourcemanager.v3.";
const STATES = ["STATE_UNSPECIFIED", "ACTIVE", "DELETE_REQUESTED"] as const;

export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const FOLDER_NAME = /^[\p{L}\p{N}]([\p{L}\p{N}_\- ]{0,28}[\p{L}\p{N}])?$/u;
export const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
export const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

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

// ---------------------------------------------------------------- helpers

function opName(kind: "cf" | "cp"): string {
  return `operations/${kind}.${BigInt("0x" + randomBytes(8).toString("hex")).toString()}`;
}

export function lro(core: GcpCore, kind: "cf" | "cp", metaType: string, meta: Json, responseType: string, response: Json): Json {
  return core.startOperation(opName(kind), { "@type": T + metaType, ...meta }, { response: { "@type": T + responseType, ...response } });
}

export function getFolderOr403(ctx: Ctx, id: string | undefined, permission: string): Folder {
  const shown = `${CRM}folders/${id ?? ""}`;
  authorize(ctx, permission, shown);
  const f = ctx.core.state.folders.get(id ?? "");
  if (!f) throw permissionDenied(permission, shown);
  return f;
}

export function getProjectOr403(ctx: Ctx, ref: string | undefined, permission: string): Project {
  const shown = `${CRM}projects/${ref ?? ""}`;
  authorize(ctx, permission, shown);
  const p = ctx.core.state.findProject(ref ?? "");
  if (!p) throw permissionDenied(permission, shown);
  return p;
}

export function requiredParent(ctx: Ctx, permission: string): string {
  const parent = ctx.query.get("parent");
  if (!parent) throw invalid("parent is required.", "parent");
  if (!/^(organizations|folders)\/[^/]+$/.test(parent))
    throw invalid(`parent must be organizations/{id} or folders/{id}, got "${parent}".`, "parent");
  authorize(ctx, permission, CRM + parent);
  if (!ctx.core.state.containerExists(parent)) throw permissionDenied(permission, CRM + parent);
  return parent;
}

export const showDeleted = (q: URLSearchParams): boolean => q.get("showDeleted") === "true";

export function setState(x: { state: LifecycleState; updateTime: string; etag: string }, s: LifecycleState): void {
  x.state = s;
  x.updateTime = now();
  x.etag = newEtag(s);
}

/** GetOperation for any stored operation (Resource Manager `operations/**` and IAM `policies/.../operations/*`). */
export function getOperation(ctx: Ctx, name: string): Json {
  const op = ctx.core.state.operations.get(name);
  if (!op) throw notFound(`Operation ${name} was not found.`);
  if (op.pollsLeft > 0) op.pollsLeft--;
  return operationWire(op, op.pollsLeft <= 0);
}

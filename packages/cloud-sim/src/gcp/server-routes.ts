import * as crm from "./crm.ts";
import type { Ctx } from "./core.ts";
import * as iam from "./iam.ts";
import * as op from "./orgpolicy.ts";
import { listEntries } from "./logging.ts";
import { searchTransitiveGroups } from "./cloudidentity.ts";
import type { Json } from "./wire.ts";

// The Google API routes: path and method to the handler, its operation name and throttle family.

type Handler = (ctx: Ctx) => Json;
interface Route {
  op: string;
  family: string;
  service: string;
  handler: Handler;
}

/** Splits a trailing `:verb` off the last path segment (`name:getEffectivePolicy`). */
function verbOf(seg: string | undefined): [string | undefined, string | undefined] {
  if (seg === undefined) return [undefined, undefined];
  const i = seg.lastIndexOf(":");
  return i < 0 ? [seg, undefined] : [seg.slice(0, i), seg.slice(i + 1)];
}

export function route(method: string, s: string[]): Route | undefined {
  const r = (svc: "orgpolicy" | "crm" | "iam" | "logging" | "cloudidentity", name: string, write: boolean, handler: Handler): Route => ({
    op: `${svc}.${name}`,
    family: `${svc}.${write ? "write" : "read"}`,
    service: svc,
    handler,
  });
  const [v, a, b, c, d, e, f] = s;
  if (v === "v1" && a === "groups" && b === "-" && c === "memberships:searchTransitiveGroups" && s.length === 4 && method === "GET") {
    return r("cloudidentity", "SearchTransitiveGroups", false, searchTransitiveGroups);
  }
  if (v === "v2" && a === "entries:list" && s.length === 2 && method === "POST") {
    return r("logging", "ListLogEntries", false, (x) => listEntries(x, x.core.auditLog));
  }
  if (v === "v2" && a === "policies") {
    if (s.length === 4) {
      if (method === "GET") return r("iam", "ListPolicies", false, (x) => iam.listDenyPolicies(x, b, c));
      if (method === "POST") return r("iam", "CreatePolicy", true, (x) => iam.createDenyPolicy(x, b, c));
    }
    if (s.length === 5) {
      if (method === "GET") return r("iam", "GetPolicy", false, (x) => iam.getDenyPolicy(x, b, c, d));
      if (method === "PUT") return r("iam", "UpdatePolicy", true, (x) => iam.updateDenyPolicy(x, b, c, d));
      if (method === "DELETE") return r("iam", "DeletePolicy", true, (x) => iam.deleteDenyPolicy(x, b, c, d));
    }
    if (s.length === 7 && e === "operations" && method === "GET") {
      return r("iam", "GetOperation", false, (x) => crm.getOperation(x, iam.denyOperationName(x, b, d, f)));
    }
    return undefined;
  }
  if (v === "v2" && (a === "organizations" || a === "folders" || a === "projects")) {
    if (s.length === 4 && c === "policies") {
      if (method === "GET") return r("orgpolicy", "ListPolicies", false, (x) => op.listPolicies(x, a, b));
      if (method === "POST") return r("orgpolicy", "CreatePolicy", true, (x) => op.createPolicy(x, a, b));
    }
    if (s.length === 4 && c === "constraints" && method === "GET") {
      return r("orgpolicy", "ListConstraints", false, (x) => op.listConstraints(x, a, b));
    }
    if (s.length === 5 && c === "policies") {
      const [name, verb] = verbOf(d);
      if (verb === "getEffectivePolicy" && method === "GET") {
        return r("orgpolicy", "GetEffectivePolicy", false, (x) => op.getEffectivePolicy(x, a, b, name));
      }
      if (verb !== undefined) return undefined;
      if (method === "GET") return r("orgpolicy", "GetPolicy", false, (x) => op.getPolicy(x, a, b, d));
      if (method === "PATCH") return r("orgpolicy", "UpdatePolicy", true, (x) => op.updatePolicy(x, a, b, d));
      if (method === "DELETE") return r("orgpolicy", "DeletePolicy", true, (x) => op.deletePolicy(x, a, b, d));
    }
    if (a === "organizations" && c === "customConstraints") {
      if (s.length === 4 && method === "GET") return r("orgpolicy", "ListCustomConstraints", false, (x) => op.listCustomConstraints(x, b));
      if (s.length === 4 && method === "POST")
        return r("orgpolicy", "CreateCustomConstraint", true, (x) => op.createCustomConstraint(x, b));
      if (s.length === 5 && method === "GET") return r("orgpolicy", "GetCustomConstraint", false, (x) => op.getCustomConstraint(x, b, d));
      if (s.length === 5 && method === "PATCH")
        return r("orgpolicy", "UpdateCustomConstraint", true, (x) => op.updateCustomConstraint(x, b, d));
      if (s.length === 5 && method === "DELETE")
        return r("orgpolicy", "DeleteCustomConstraint", true, (x) => op.deleteCustomConstraint(x, b, d));
    }
    return undefined;
  }
  if (v === "v3") {
    if (a === "operations" && s.length >= 3 && method === "GET") {
      return r("crm", "GetOperation", false, (x) => crm.getOperation(x, s.slice(1).join("/")));
    }
    if (s.length === 2) {
      if (a === "organizations:search" && method === "GET") return r("crm", "SearchOrganizations", false, crm.searchOrganizations);
      if (a === "folders:search" && method === "GET") return r("crm", "SearchFolders", false, crm.searchFolders);
      if (a === "projects:search" && method === "GET") return r("crm", "SearchProjects", false, crm.searchProjects);
      if (a === "folders" && method === "GET") return r("crm", "ListFolders", false, crm.listFolders);
      if (a === "folders" && method === "POST") return r("crm", "CreateFolder", true, crm.createFolder);
      if (a === "projects" && method === "GET") return r("crm", "ListProjects", false, crm.listProjects);
      if (a === "projects" && method === "POST") return r("crm", "CreateProject", true, crm.createProject);
    }
    if (s.length === 3) {
      const [id, verb] = verbOf(b);
      if (a === "organizations" && !verb && method === "GET") return r("crm", "GetOrganization", false, (x) => crm.getOrganization(x, id));
      if (a === "organizations" && verb === "testIamPermissions" && method === "POST") {
        return r("crm", "TestIamPermissions", false, (x) => crm.testOrganizationIamPermissions(x, id));
      }
      if (a === "folders") {
        if (verb === "move" && method === "POST") return r("crm", "MoveFolder", true, (x) => crm.moveFolder(x, id));
        if (!verb && method === "GET") return r("crm", "GetFolder", false, (x) => crm.getFolder(x, id));
        if (!verb && method === "PATCH") return r("crm", "UpdateFolder", true, (x) => crm.updateFolder(x, id));
        if (!verb && method === "DELETE") return r("crm", "DeleteFolder", true, (x) => crm.deleteFolder(x, id));
      }
      if (a === "projects") {
        if (verb === "move" && method === "POST") return r("crm", "MoveProject", true, (x) => crm.moveProject(x, id));
        if (!verb && method === "GET") return r("crm", "GetProject", false, (x) => crm.getProject(x, id));
        if (!verb && method === "PATCH") return r("crm", "UpdateProject", true, (x) => crm.updateProject(x, id));
        if (!verb && method === "DELETE") return r("crm", "DeleteProject", true, (x) => crm.deleteProject(x, id));
      }
    }
  }
  return undefined;
}

export const SERVICE_HOST: Record<string, string> = {
  orgpolicy: "orgpolicy.googleapis.com",
  crm: "cloudresourcemanager.googleapis.com",
  iam: "iam.googleapis.com",
  logging: "logging.googleapis.com",
  cloudidentity: "cloudidentity.googleapis.com",
};

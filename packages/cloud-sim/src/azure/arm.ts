import { randomUUID } from "node:crypto";
import { tryParseJson } from "../common/http.ts";
import { authorize } from "./auth.ts";
import type { AzureCore } from "./core.ts";
import { ArmError, badRequest, invalidContent, notFound } from "./errors.ts";
import type { PolicyKind, PolicyResource } from "./model.ts";
import { MG_PREFIX, parseScope, scopeKey, type Scope } from "./scope.ts";
import { KIND_BY_SEGMENT, type Caller } from "./state.ts";
import { isObject, prop } from "./validate.ts";

export interface ArmReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** api-versions accepted per resource family: what @azure/arm-policy 6.0.0 / 7.x, arm-managementgroups 2.x and the REST specs send. */
export const API_VERSIONS: Record<string, string[]> = {
  policy: ["2019-09-01", "2020-09-01", "2021-06-01", "2022-06-01", "2023-04-01", "2024-04-01", "2024-05-01", "2025-01-01", "2025-03-01"],
  exemptions: ["2020-07-01-preview", "2022-07-01-preview", "2024-12-01-preview", "2025-01-01", "2025-03-01"],
  managementGroups: ["2020-02-01", "2020-05-01", "2020-10-01", "2021-04-01", "2023-04-01"],
  subscriptions: ["2016-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01"],
  tags: ["2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2024-03-01"],
};

interface Route {
  op: string;
  family: keyof typeof API_VERSIONS;
  typeName: string;
  method: "read" | "write";
  action: string;
  /** Scope keys the RBAC check walks (target and ancestors); undefined = any authenticated caller. */
  chain?: () => string[];
  authScope: string;
  exec: (caller: Caller) => ArmReply;
}

interface Req {
  method: string;
  url: URL;
  body: Buffer;
}

function json(req: Req): unknown {
  const parsed = tryParseJson(req.body);
  if (!parsed.ok) {
    throw invalidContent("Unexpected character encountered while parsing value. Path '', line 1, position 1.");
  }
  if (depthExceeds(parsed.value, 64)) {
    throw invalidContent("The reader's MaxDepth of 64 has been exceeded. Path '', line 1, position 1.");
  }
  return parsed.value;
}

/** Iterative, so hostile nesting cannot exhaust the stack of the validators that walk bodies recursively. */
function depthExceeds(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (typeof x !== "object" || x === null) continue;
    if (d > max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x as Record<string, unknown>)) stack.push([c, d + 1]);
  }
  return false;
}

const KIND_ACTION: Record<PolicyKind, string> = {
  policyDefinitions: "Microsoft.Authorization/policyDefinitions",
  policySetDefinitions: "Microsoft.Authorization/policySetDefinitions",
  policyAssignments: "Microsoft.Authorization/policyAssignments",
  policyExemptions: "Microsoft.Authorization/policyExemptions",
};

const OP_PREFIX: Record<PolicyKind, string> = {
  policyDefinitions: "PolicyDefinitions",
  policySetDefinitions: "PolicySetDefinitions",
  policyAssignments: "PolicyAssignments",
  policyExemptions: "PolicyExemptions",
};

function methodNotAllowed(method: string, path: string): ArmError {
  return new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}' at '${path}'.`);
}

/** One page of `items` plus an absolute nextLink carrying the query and a $skiptoken. */
export function page<T>(core: AzureCore, url: URL, items: T[]): { value: T[]; nextLink?: string } {
  const tok = url.searchParams.get("$skiptoken");
  let offset = 0;
  if (tok !== null) {
    const n = Number(Buffer.from(tok, "base64url").toString("utf8"));
    if (!Number.isInteger(n) || n < 0) throw badRequest("InvalidSkipToken", `The skip token '${tok}' is invalid.`);
    offset = n;
  }
  const topRaw = url.searchParams.get("$top");
  let size = core.config.pageSize;
  if (topRaw !== null) {
    const top = Number(topRaw);
    if (!Number.isInteger(top) || top < 1 || top > 1000) {
      throw badRequest("InvalidTopValue", `The value '${topRaw}' of query parameter '$top' is invalid. It must be an integer between 1 and 1000.`);
    }
    size = Math.min(size, top);
  }
  const value = items.slice(offset, offset + size);
  if (offset + size >= items.length) return { value };
  const q: string[] = [];
  for (const [k, v] of url.searchParams) if (k !== "$skiptoken") q.push(`${k}=${encodeURIComponent(v)}`);
  q.push(`$skiptoken=${Buffer.from(String(offset + size)).toString("base64url")}`);
  return { value, nextLink: `${core.baseUrl}${url.pathname}?${q.join("&")}` };
}

interface Filter {
  exact: boolean;
  atScope: boolean;
  excludeExpired: boolean;
  eq: Array<{ field: string; value: string }>;
}

function parseFilter(raw: string | null, allowed: string[]): Filter {
  const f: Filter = { exact: false, atScope: false, excludeExpired: false, eq: [] };
  if (raw === null || raw.trim() === "") return f;
  for (const termRaw of raw.split(/\s+and\s+/i)) {
    const term = termRaw.trim();
    const lower = term.toLowerCase().replace(/\s+/g, "");
    if (lower === "atexactscope()" && allowed.includes("atExactScope()")) f.exact = true;
    else if (lower === "atscope()" && allowed.includes("atScope()")) f.atScope = true;
    else if (lower === "excludeexpired()" && allowed.includes("excludeExpired()")) f.excludeExpired = true;
    else {
      const m = /^(\w+)\s+(?:eq|-eq)\s+'([^']*)'$/i.exec(term);
      const field = m?.[1];
      if (!m || !field || !allowed.some((a) => a.toLowerCase() === field.toLowerCase())) {
        throw badRequest(
          "InvalidFilterInQueryString",
          `Invalid $filter '${raw}' specified in the query string. Supported filters are: ${allowed.map((a) => (a.endsWith(")") ? a : `${a} eq '{value}'`)).join(", ")}.`,
        );
      }
      f.eq.push({ field: field.toLowerCase(), value: m[2]! });
    }
  }
  return f;
}

function listPolicies(core: AzureCore, kind: PolicyKind, scope: Scope, url: URL): ArmReply {
  const st = core.state;
  const chain = st.chain(scope);
  const allowed =
    kind === "policyAssignments"
      ? ["atScope()", "atExactScope()", "policyDefinitionId"]
      : kind === "policyExemptions"
        ? ["atScope()", "atExactScope()", "excludeExpired()", "policyAssignmentId"]
        : ["atExactScope()", "policyType", "category"];
  const f = parseFilter(url.searchParams.get("$filter"), allowed);
  let items: PolicyResource[];
  if (scope.kind === "tenant") {
    items = st.at([""], kind);
  } else if (f.exact) {
    items = st.at([scopeKey(scope)], kind);
  } else if (kind === "policyDefinitions" || kind === "policySetDefinitions") {
    items = [...st.at(chain, kind), ...st.at([""], kind)];
  } else {
    items = st.at(chain, kind);
    // Unfiltered subscription lists also include what is assigned inside the subscription.
    if (!f.atScope && scope.kind === "sub") items = [...items, ...st.at(st.keysBelowSubscription(scope.sub), kind)];
  }
  const now = Date.now();
  items = items.filter((r) => {
    if (f.excludeExpired && typeof r.properties.expiresOn === "string" && Date.parse(r.properties.expiresOn) <= now) return false;
    for (const { field, value } of f.eq) {
      const v =
        field === "category"
          ? (r.properties.metadata as Record<string, unknown> | undefined)?.category
          : Object.entries(r.properties).find(([k]) => k.toLowerCase() === field)?.[1];
      if (typeof v !== "string" || v.toLowerCase() !== value.toLowerCase()) return false;
    }
    return true;
  });
  return { status: 200, body: page(core, url, items.map((r) => st.toArm(r))) };
}

function policyRoute(core: AzureCore, req: Req, scopeSegs: string[], typeSeg: string, name: string | undefined): Route | undefined {
  const kind = KIND_BY_SEGMENT[typeSeg];
  if (!kind) return undefined;
  const scope = parseScope("/" + scopeSegs.join("/"));
  if (!scope) return undefined;
  const st = core.state;
  if (scope.kind === "tenant" && (kind === "policyAssignments" || kind === "policyExemptions")) return undefined;
  if (scope.kind === "rg" && (kind === "policyDefinitions" || kind === "policySetDefinitions")) return undefined;
  const family = kind === "policyExemptions" ? "exemptions" : "policy";
  const at = scope.kind === "mg" ? "AtManagementGroup" : scope.kind === "tenant" ? "BuiltIn" : scope.kind === "rg" ? "ForResourceGroup" : "";
  const canonicalScope = st.canonical(scope);
  const resourceUri = name !== undefined ? `${canonicalScope}/providers/${KIND_ACTION[kind]}/${name}` : `${canonicalScope}/providers/${KIND_ACTION[kind]}`;
  const chain = scope.kind === "tenant" ? undefined : () => st.chain(scope);
  const base = { family, typeName: typeSeg, chain, authScope: resourceUri } as const;
  const m = req.method;
  if (name === undefined) {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    const listOp = kind === "policyAssignments" || kind === "policyExemptions" ? (scope.kind === "mg" ? "ListForManagementGroup" : scope.kind === "rg" ? "ListForResourceGroup" : "List") : scope.kind === "mg" ? "ListByManagementGroup" : scope.kind === "tenant" ? "ListBuiltIn" : "List";
    return { ...base, op: `${OP_PREFIX[kind]}_${listOp}`, method: "read", action: `${KIND_ACTION[kind]}/read`, exec: () => listPolicies(core, kind, scope, req.url) };
  }
  if (scope.kind === "tenant") {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return { ...base, op: `${OP_PREFIX[kind]}_GetBuiltIn`, method: "read", action: `${KIND_ACTION[kind]}/read`, exec: () => ({ status: 200, body: st.toArm(st.get(kind, scope, name)) }) };
  }
  switch (m) {
    case "GET":
      return { ...base, op: `${OP_PREFIX[kind]}_Get${at}`, method: "read", action: `${KIND_ACTION[kind]}/read`, exec: () => ({ status: 200, body: st.toArm(st.get(kind, scope, name)) }) };
    case "PUT":
      return {
        ...base,
        op: `${OP_PREFIX[kind]}_${kind === "policyAssignments" ? "Create" : "CreateOrUpdate"}${at}`,
        method: "write",
        action: `${KIND_ACTION[kind]}/write`,
        exec: (caller) => {
          const { resource, created } = st.put(kind, scope, name, json(req), caller);
          core.emit("write", st.resourceId(resource), `${KIND_ACTION[kind]}/write`, caller, "PUT");
          // Definitions and assignments answer 201 on update too (their REST specs list only 201, and the SDK rejects 200).
          const status = created || kind === "policyDefinitions" || kind === "policyAssignments" ? 201 : 200;
          return { status, body: st.toArm(resource) };
        },
      };
    case "PATCH":
      if (kind !== "policyAssignments" && kind !== "policyExemptions") throw methodNotAllowed(m, req.url.pathname);
      return {
        ...base,
        op: `${OP_PREFIX[kind]}_Update${at}`,
        method: "write",
        action: `${KIND_ACTION[kind]}/write`,
        exec: (caller) => {
          const body = json(req);
          let r: PolicyResource;
          if (kind === "policyAssignments") r = st.patchAssignment(scope, name, body, caller);
          else {
            const cur = st.get(kind, scope, name);
            const patch = isObject(body) ? prop(body, "properties") : undefined;
            r = st.put(kind, scope, name, { properties: { ...cur.properties, ...(isObject(patch) ? patch : {}) } }, caller).resource;
          }
          core.emit("write", st.resourceId(r), `${KIND_ACTION[kind]}/write`, caller, "PATCH");
          return { status: 200, body: st.toArm(r) };
        },
      };
    case "DELETE":
      return {
        ...base,
        op: `${OP_PREFIX[kind]}_Delete${at}`,
        method: "write",
        action: `${KIND_ACTION[kind]}/delete`,
        exec: (caller) => {
          const r = st.delete(kind, scope, name);
          if (!r) return { status: 204 };
          core.emit("delete", st.resourceId(r), `${KIND_ACTION[kind]}/delete`, caller, "DELETE");
          return kind === "policyAssignments" ? { status: 200, body: st.toArm(r) } : { status: 200 };
        },
      };
    default:
      throw methodNotAllowed(m, req.url.pathname);
  }
}

function mgRoute(core: AzureCore, req: Req, segs: string[]): Route | undefined {
  const st = core.state;
  const l = segs.map((s) => s.toLowerCase());
  const m = req.method;
  const rootChain = (): string[] => [scopeKey({ kind: "mg", mg: st.tenantId })];
  const base = { family: "managementGroups" as const, typeName: "managementGroups" };
  if (segs.length === 3) {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return {
      ...base,
      op: "ManagementGroups_List",
      method: "read",
      action: "Microsoft.Management/managementGroups/read",
      authScope: "/providers/Microsoft.Management",
      exec: (caller) => {
        const app = st.apps.get(caller.id.toLowerCase());
        const visible = [...st.mgs.keys()].filter((k) => {
          if (!app) return false;
          try {
            authorize(app, "Microsoft.Management/managementGroups/read", st.mgChain(k).map((x) => scopeKey({ kind: "mg", mg: x })), "");
            return true;
          } catch {
            return false;
          }
        });
        return { status: 200, body: page(core, req.url, visible.map((k) => st.mgInfo(k))) };
      },
    };
  }
  const group = segs[3]!;
  const mgScope: Scope = { kind: "mg", mg: group };
  const chain = (): string[] => st.chain(mgScope);
  const mgUri = MG_PREFIX + group;
  if (segs.length === 4) {
    switch (m) {
      case "GET":
        return {
          ...base,
          op: "ManagementGroups_Get",
          method: "read",
          action: "Microsoft.Management/managementGroups/read",
          chain,
          authScope: mgUri,
          exec: () => {
            const key = st.mustMg(group).name.toLowerCase();
            const expand = (req.url.searchParams.get("$expand") ?? "").toLowerCase();
            const recurse = (req.url.searchParams.get("$recurse") ?? "").toLowerCase() === "true";
            const noSubs = /childtype\s+ne\s+subscription/i.test(req.url.searchParams.get("$filter") ?? "");
            return { status: 200, body: st.mgFull(key, expand.includes("children"), recurse, noSubs) };
          },
        };
      case "PUT":
      case "PATCH":
        return {
          ...base,
          op: m === "PUT" ? "ManagementGroups_CreateOrUpdate" : "ManagementGroups_Update",
          method: "write",
          action: "Microsoft.Management/managementGroups/write",
          // Creating a group needs write on the parent; existing groups check their own chain.
          chain: () => (st.mgs.has(group.toLowerCase()) ? chain() : rootChain()),
          authScope: mgUri,
          exec: (caller) => {
            const body = json(req);
            if (!isObject(body)) throw invalidContent("The request content must be a JSON object.");
            let displayName: string | undefined;
            let parentId: string | undefined;
            if (m === "PUT") {
              const p = prop(body, "properties");
              const props = isObject(p) ? p : {};
              const dn = prop(props, "displayName");
              displayName = typeof dn === "string" ? dn : undefined;
              const details = prop(props, "details");
              const parent = isObject(details) ? prop(details, "parent") : undefined;
              const pid = isObject(parent) ? prop(parent, "id") : undefined;
              parentId = typeof pid === "string" ? pid : undefined;
            } else {
              const dn = prop(body, "displayName");
              displayName = typeof dn === "string" ? dn : undefined;
              const pid = prop(body, "parentGroupId");
              parentId = typeof pid === "string" ? pid : undefined;
            }
            const parentName = parentId ? parentId.split("/").filter(Boolean).pop() : undefined;
            const existed = st.mgs.has(group.toLowerCase());
            if (!existed && m === "PATCH") st.mustMg(group);
            st.addManagementGroup(group, displayName, parentName, caller.id);
            core.emit("write", MG_PREFIX + st.mustMg(group).name, "Microsoft.Management/managementGroups/write", caller, m);
            return { status: 200, body: st.mgFull(group.toLowerCase(), false, false) };
          },
        };
      case "DELETE":
        return {
          ...base,
          op: "ManagementGroups_Delete",
          method: "write",
          action: "Microsoft.Management/managementGroups/delete",
          chain,
          authScope: mgUri,
          exec: (caller) => {
            const mg = st.deleteManagementGroup(group);
            core.emit("delete", MG_PREFIX + mg.name, "Microsoft.Management/managementGroups/delete", caller, "DELETE");
            return {
              status: 200,
              body: { id: MG_PREFIX + mg.name, type: "Microsoft.Management/managementGroups", name: mg.name, status: "Succeeded", properties: { tenantId: st.tenantId, displayName: mg.displayName } },
            };
          },
        };
      default:
        throw methodNotAllowed(m, req.url.pathname);
    }
  }
  if (segs.length === 5 && l[4] === "descendants") {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return {
      ...base,
      op: "ManagementGroups_GetDescendants",
      method: "read",
      action: "Microsoft.Management/managementGroups/descendants/read",
      chain,
      authScope: mgUri,
      exec: () => ({ status: 200, body: page(core, req.url, st.descendants(group)) }),
    };
  }
  if (segs.length === 5 && l[4] === "subscriptions") {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return {
      ...base,
      op: "ManagementGroupSubscriptions_GetSubscriptionsUnderManagementGroup",
      method: "read",
      action: "Microsoft.Management/managementGroups/subscriptions/read",
      chain,
      authScope: mgUri,
      exec: () => {
        const mg = st.mustMg(group);
        return { status: 200, body: page(core, req.url, [...mg.subSet].map((s) => st.subUnderMg(st.subs.get(s)!))) };
      },
    };
  }
  if (segs.length === 6 && l[4] === "subscriptions") {
    const sid = segs[5]!;
    const uri = `${mgUri}/subscriptions/${sid}`;
    switch (m) {
      case "GET":
        return {
          ...base,
          op: "ManagementGroupSubscriptions_GetSubscription",
          method: "read",
          action: "Microsoft.Management/managementGroups/subscriptions/read",
          chain,
          authScope: uri,
          exec: () => {
            const mg = st.mustMg(group);
            const s = st.mustSub(sid);
            if (s.parent !== mg.name.toLowerCase()) throw notFound("SubscriptionNotFound", `The subscription '${sid}' is not under the management group '${mg.name}'.`);
            return { status: 200, body: st.subUnderMg(s) };
          },
        };
      case "PUT":
      case "DELETE":
        return {
          ...base,
          op: m === "PUT" ? "ManagementGroupSubscriptions_Create" : "ManagementGroupSubscriptions_Delete",
          method: "write",
          action: `Microsoft.Management/managementGroups/subscriptions/${m === "PUT" ? "write" : "delete"}`,
          chain,
          authScope: uri,
          exec: (caller) => {
            const mg = st.mustMg(group);
            const s = st.mustSub(sid);
            if (m === "DELETE") {
              if (s.parent !== mg.name.toLowerCase()) return { status: 204 };
              st.moveSubscription(sid, st.tenantId);
              core.emit("delete", `${MG_PREFIX}${mg.name}/subscriptions/${s.subscriptionId}`, "Microsoft.Management/managementGroups/subscriptions/delete", caller, "DELETE");
              return { status: 200 };
            }
            st.moveSubscription(sid, group);
            core.emit("write", `${MG_PREFIX}${mg.name}/subscriptions/${s.subscriptionId}`, "Microsoft.Management/managementGroups/subscriptions/write", caller, "PUT");
            return { status: 200, body: st.subUnderMg(s) };
          },
        };
      default:
        throw methodNotAllowed(m, req.url.pathname);
    }
  }
  return undefined;
}

function subscriptionRoute(core: AzureCore, req: Req, segs: string[]): Route | undefined {
  const st = core.state;
  const l = segs.map((s) => s.toLowerCase());
  const m = req.method;
  if (segs.length === 1) {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return {
      family: "subscriptions",
      typeName: "subscriptions",
      op: "Subscriptions_List",
      method: "read",
      action: "Microsoft.Resources/subscriptions/read",
      authScope: "/subscriptions",
      exec: (caller) => {
        const app = st.apps.get(caller.id.toLowerCase());
        const visible = [...st.subs.values()].filter((s) => {
          if (!app) return false;
          try {
            authorize(app, "Microsoft.Resources/subscriptions/read", st.chain({ kind: "sub", sub: s.subscriptionId }), "");
            return true;
          } catch {
            return false;
          }
        });
        return { status: 200, body: page(core, req.url, visible.map((s) => st.subArm(s))) };
      },
    };
  }
  const sid = segs[1]!;
  const chain = (): string[] => st.chain({ kind: "sub", sub: sid });
  if (segs.length === 2) {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return {
      family: "subscriptions",
      typeName: "subscriptions",
      op: "Subscriptions_Get",
      method: "read",
      action: "Microsoft.Resources/subscriptions/read",
      chain,
      authScope: `/subscriptions/${sid}`,
      exec: () => ({ status: 200, body: st.subArm(st.mustSub(sid)) }),
    };
  }
  if (segs.length === 5 && l[2] === "providers" && l[3] === "microsoft.resources" && l[4] === "tags") {
    return undefined;
  }
  if (segs.length === 6 && l[2] === "providers" && l[3] === "microsoft.resources" && l[4] === "tags" && l[5] === "default") {
    const uri = `/subscriptions/${sid}/providers/Microsoft.Resources/tags/default`;
    const base = { family: "tags" as const, typeName: "tags", chain, authScope: uri };
    if (m === "GET") {
      return { ...base, op: "Tags_GetAtScope", method: "read", action: "Microsoft.Resources/tags/read", exec: () => ({ status: 200, body: st.tagsArm(st.mustSub(sid)) }) };
    }
    if (m === "PUT" || m === "PATCH" || m === "DELETE") {
      return {
        ...base,
        op: m === "PUT" ? "Tags_CreateOrUpdateAtScope" : m === "PATCH" ? "Tags_UpdateAtScope" : "Tags_DeleteAtScope",
        method: "write",
        action: m === "DELETE" ? "Microsoft.Resources/tags/delete" : "Microsoft.Resources/tags/write",
        exec: (caller) => {
          let s;
          if (m === "DELETE") s = st.setTags(sid, {}, "Replace");
          else {
            const body = json(req);
            const p = isObject(body) ? prop(body, "properties") : undefined;
            const tags = isObject(p) ? prop(p, "tags") : undefined;
            if (!isObject(tags) || Object.values(tags).some((v) => typeof v !== "string")) {
              throw invalidContent("Error converting value to type 'IDictionary`2'. Path 'properties.tags'");
            }
            let op: "Replace" | "Merge" | "Delete" = "Replace";
            if (m === "PATCH") {
              const o = isObject(body) ? prop(body, "operation") : undefined;
              const found = ["Replace", "Merge", "Delete"].find((x) => typeof o === "string" && x.toLowerCase() === o.toLowerCase());
              if (!found) throw invalidContent(`Requested value '${String(o)}' was not found. Path 'operation'`);
              op = found as typeof op;
            }
            s = st.setTags(sid, tags as Record<string, string>, op);
          }
          core.emit(m === "DELETE" ? "delete" : "write", uri, m === "DELETE" ? "Microsoft.Resources/tags/delete" : "Microsoft.Resources/tags/write", caller, m);
          return { status: 200, body: m === "DELETE" ? undefined : st.tagsArm(s) };
        },
      };
    }
    throw methodNotAllowed(m, req.url.pathname);
  }
  return undefined;
}

function route(core: AzureCore, req: Req): Route | undefined {
  const segs = req.url.pathname.split("/").filter((s) => s.length > 0).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const l = segs.map((s) => s.toLowerCase());
  // Policy resources: {scope}/providers/Microsoft.Authorization/{type}[/{name}]
  for (let i = segs.length - 2; i >= 0; i--) {
    if (l[i] === "providers" && l[i + 1] === "microsoft.authorization") {
      if (segs.length !== i + 3 && segs.length !== i + 4) return undefined;
      return policyRoute(core, req, segs.slice(0, i), l[i + 2]!, segs[i + 3]);
    }
  }
  if (l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "managementgroups") return mgRoute(core, req, segs);
  if (l[0] === "subscriptions") return subscriptionRoute(core, req, segs);
  return undefined;
}

/** Serves one ARM request (everything except /_admin and the token endpoint). Throws ArmError for failures. */
export async function handleArm(core: AzureCore, req: Req, authHeader: string | undefined): Promise<ArmReply> {
  const apiVersion = req.url.searchParams.get("api-version");
  if (!apiVersion) {
    core.counters.inc("MissingApiVersion");
    throw badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  await core.faults.delay();
  const fault = core.faults.decide();
  if (fault.kind === "outage") {
    core.counters.inc("Fault_Outage");
    throw new ArmError(503, "ServiceUnavailable", "The server (leased) is currently unable to handle the request due to a temporary overloading or maintenance. Please retry the request later.", { "retry-after": "1" });
  }
  if (fault.kind === "error") {
    core.counters.inc("Fault_Error");
    throw new ArmError(500, "InternalServerError", `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', tracking id '${randomUUID()}'.`);
  }
  const appId = core.tokens.check(authHeader, core.state.tenantId, core.baseUrl);
  const r = route(core, req);
  if (!r) {
    core.counters.inc("Unknown");
    throw notFound("InvalidResourceType", `The resource type could not be found for the request path '${req.url.pathname}' and api version '${apiVersion}'.`);
  }
  core.counters.inc(r.op);
  const supported = API_VERSIONS[r.family]!;
  if (!supported.includes(apiVersion)) {
    throw badRequest(
      "InvalidResourceType",
      `No registered resource provider found for location 'global' and API version '${apiVersion}' for type '${r.typeName}'. The supported api-versions are '${supported.join(", ")}'.`,
    );
  }
  const wait = core.throttler.check(r.method);
  if (wait > 0) {
    core.counters.inc("Throttled");
    const secs = Math.max(1, Math.ceil(wait / 1000));
    const sub = /^\/subscriptions\/([^/]+)/i.exec(r.authScope)?.[1];
    throw new ArmError(
      429,
      sub ? "SubscriptionRequestsThrottled" : "TenantRequestsThrottled",
      `Number of '${r.method}' requests for ${sub ? `subscription '${sub}'` : `tenant '${core.state.tenantId}'`} actor '${appId}' exceeded. Please try again after '${secs}' seconds after additional tokens are available.`,
      { "retry-after": String(secs) },
    );
  }
  const app = core.state.apps.get(appId.toLowerCase());
  if (!app) throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
  if (r.chain) authorize(app, r.action, r.chain(), r.authScope);
  const reply = r.exec(core.callerFor(app.appId));
  if (r.method === "write") core.persister.schedule();
  return reply;
}

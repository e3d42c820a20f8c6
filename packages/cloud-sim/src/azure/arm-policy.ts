import type { AzureCore } from "./core.ts";
import type { PolicyKind, PolicyResource } from "./model.ts";
import { parseScope, scopeKey, type Scope } from "./scope.ts";
import { KIND_BY_SEGMENT } from "./state.ts";
import { isObject, prop } from "./validate.ts";
import { json, methodNotAllowed, page, type ArmReply, type Req, type Route } from "./arm-common.ts";
import { badRequest } from "./errors.ts";

// Microsoft.Authorization routes: policy definitions, set definitions, assignments and exemptions at any scope.

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
  return {
    status: 200,
    body: page(
      core,
      url,
      items.map((r) => st.toArm(r)),
    ),
  };
}

export function policyRoute(core: AzureCore, req: Req, scopeSegs: string[], typeSeg: string, name: string | undefined): Route | undefined {
  const kind = KIND_BY_SEGMENT[typeSeg];
  if (!kind) return undefined;
  const scope = parseScope("/" + scopeSegs.join("/"));
  if (!scope) return undefined;
  const st = core.state;
  if (scope.kind === "tenant" && (kind === "policyAssignments" || kind === "policyExemptions")) return undefined;
  if (scope.kind === "rg" && (kind === "policyDefinitions" || kind === "policySetDefinitions")) return undefined;
  const family = kind === "policyExemptions" ? "exemptions" : "policy";
  const at =
    scope.kind === "mg" ? "AtManagementGroup" : scope.kind === "tenant" ? "BuiltIn" : scope.kind === "rg" ? "ForResourceGroup" : "";
  const canonicalScope = st.canonical(scope);
  const resourceUri =
    name !== undefined ? `${canonicalScope}/providers/${KIND_ACTION[kind]}/${name}` : `${canonicalScope}/providers/${KIND_ACTION[kind]}`;
  const chain = scope.kind === "tenant" ? undefined : () => st.chain(scope);
  const base = { family, typeName: typeSeg, chain, authScope: resourceUri } as const;
  const m = req.method;
  if (name === undefined) {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    const listOp =
      kind === "policyAssignments" || kind === "policyExemptions"
        ? scope.kind === "mg"
          ? "ListForManagementGroup"
          : scope.kind === "rg"
            ? "ListForResourceGroup"
            : "List"
        : scope.kind === "mg"
          ? "ListByManagementGroup"
          : scope.kind === "tenant"
            ? "ListBuiltIn"
            : "List";
    return {
      ...base,
      op: `${OP_PREFIX[kind]}_${listOp}`,
      method: "read",
      action: `${KIND_ACTION[kind]}/read`,
      exec: () => listPolicies(core, kind, scope, req.url),
    };
  }
  if (scope.kind === "tenant") {
    if (m !== "GET") throw methodNotAllowed(m, req.url.pathname);
    return {
      ...base,
      op: `${OP_PREFIX[kind]}_GetBuiltIn`,
      method: "read",
      action: `${KIND_ACTION[kind]}/read`,
      exec: () => ({ status: 200, body: st.toArm(st.get(kind, scope, name)) }),
    };
  }
  switch (m) {
    case "GET":
      return {
        ...base,
        op: `${OP_PREFIX[kind]}_Get${at}`,
        method: "read",
        action: `${KIND_ACTION[kind]}/read`,
        exec: () => ({ status: 200, body: st.toArm(st.get(kind, scope, name)) }),
      };
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

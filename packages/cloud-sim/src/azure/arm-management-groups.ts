import { authorize } from "./auth.ts";
import type { AzureCore } from "./core.ts";
import { badRequest, invalidContent, notFound } from "./errors.ts";
import { MG_PREFIX, scopeKey, type Scope } from "./scope.ts";
import { isObject, prop } from "./validate.ts";
import { json, methodNotAllowed, page, type Req, type Route } from "./arm-common.ts";

// Microsoft.Management routes: management groups, their descendants and subscriptions under them.

export function mgRoute(core: AzureCore, req: Req, segs: string[]): Route | undefined {
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
            authorize(
              app,
              "Microsoft.Management/managementGroups/read",
              st.mgChain(k).map((x) => scopeKey({ kind: "mg", mg: x })),
              "",
            );
            return true;
          } catch {
            return false;
          }
        });
        return {
          status: 200,
          body: page(
            core,
            req.url,
            visible.map((k) => st.mgInfo(k)),
          ),
        };
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
            return {
              status: 200,
              body: st.mgFull(key, expand.includes("children"), recurse, noSubs, {
                path: expand.includes("path"),
                ancestors: expand.includes("ancestors"),
              }),
            };
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
              body: {
                id: MG_PREFIX + mg.name,
                type: "Microsoft.Management/managementGroups",
                name: mg.name,
                status: "Succeeded",
                properties: { tenantId: st.tenantId, displayName: mg.displayName },
              },
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
        return {
          status: 200,
          body: page(
            core,
            req.url,
            [...mg.subSet].map((s) => st.subUnderMg(st.subs.get(s)!)),
          ),
        };
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
            if (s.parent !== mg.name.toLowerCase())
              throw notFound("SubscriptionNotFound", `The subscription '${sid}' is not under the management group '${mg.name}'.`);
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
              core.emit(
                "delete",
                `${MG_PREFIX}${mg.name}/subscriptions/${s.subscriptionId}`,
                "Microsoft.Management/managementGroups/subscriptions/delete",
                caller,
                "DELETE",
              );
              return { status: 200 };
            }
            st.moveSubscription(sid, group);
            core.emit(
              "write",
              `${MG_PREFIX}${mg.name}/subscriptions/${s.subscriptionId}`,
              "Microsoft.Management/managementGroups/subscriptions/write",
              caller,
              "PUT",
            );
            return { status: 200, body: st.subUnderMg(s) };
          },
        };
      default:
        throw methodNotAllowed(m, req.url.pathname);
    }
  }
  return undefined;
}

const ENTITY_VIEWS = ["fullhierarchy", "groupsonly", "subscriptionsonly", "audit"];

/**
 * Entities_List, `POST /providers/Microsoft.Management/getEntities` ("List all entities (Management Groups,
 * Subscriptions, etc.) for the authenticated user"; specification/managementgroups/resource-manager/
 * Microsoft.Management/ManagementGroups/stable/2023-04-01/management.json and examples/GetEntities.json).
 * No RBAC action gates it: the list holds the groups and subscriptions the caller can read, each with its
 * `parent`, `parentNameChain` / `parentDisplayNameChain` (root group first, down to the immediate parent) and
 * the caller's `permissions` (noaccess | view | edit | delete). `$filter` takes the spec's forms, `name eq
 * '…'` and `contains(name|displayName, '…')`, case-insensitively; `$view` GroupsOnly / SubscriptionsOnly
 * narrows by type. `$search` and `groupName` are not modelled and answer 400 rather than a wrong list. Pages
 * follow `$skiptoken`; the SDK fetches a nextLink with GET (Entities_ListNext), so a GET carrying a
 * `$skiptoken` is served too.
 */
export function entitiesRoute(core: AzureCore, req: Req): Route {
  const st = core.state;
  const q = req.url.searchParams;
  if (req.method !== "POST" && !(req.method === "GET" && q.has("$skiptoken"))) throw methodNotAllowed(req.method, req.url.pathname);
  return {
    family: "managementGroups",
    typeName: "getEntities",
    op: "Entities_List",
    method: "read",
    action: "Microsoft.Management/managementGroups/read",
    authScope: "/providers/Microsoft.Management",
    exec: (caller) => {
      for (const p of ["$search", "groupName"]) {
        if (q.has(p)) throw badRequest("BadRequest", `The simulator does not model the getEntities parameter '${p}'.`);
      }
      const view = (q.get("$view") ?? "FullHierarchy").toLowerCase();
      if (!ENTITY_VIEWS.includes(view)) {
        throw badRequest(
          "BadRequest",
          `The value '${q.get("$view")}' of '$view' is invalid: expected FullHierarchy, GroupsOnly, SubscriptionsOnly or Audit.`,
        );
      }
      const match = entityFilter(q.get("$filter"));
      const app = st.apps.get(caller.id.toLowerCase());
      const can = (action: string, chain: string[]): boolean => {
        if (!app || chain.length === 0) return false;
        try {
          authorize(app, action, chain, "");
          return true;
        } catch {
          return false;
        }
      };
      const permission = (chain: string[]): string =>
        can("Microsoft.Management/managementGroups/delete", chain)
          ? "delete"
          : can("Microsoft.Management/managementGroups/write", chain)
            ? "edit"
            : can("Microsoft.Management/managementGroups/read", chain)
              ? "view"
              : "noaccess";
      const mgKeys = (name: string): string[] => st.mgChain(name).map((k) => scopeKey({ kind: "mg", mg: k }));
      const names = (chain: string[]) => ({
        parentNameChain: chain.map((k) => st.mgs.get(k)!.name),
        parentDisplayNameChain: chain.map((k) => st.mgs.get(k)!.displayName),
      });
      const out: Array<Record<string, unknown>> = [];
      const countDescendants = (key: string): number => {
        const g = st.mgs.get(key)!;
        return g.children.reduce((n, c) => n + 1 + countDescendants(c), g.subSet.size);
      };
      // Depth first from the tenant root group; `above` is the root-first chain of the group's ancestors.
      const walk = (key: string, above: string[]): void => {
        const g = st.mgs.get(key)!;
        const chain = mgKeys(g.name);
        if (view !== "subscriptionsonly" && can("Microsoft.Management/managementGroups/read", chain) && match(g.name, g.displayName)) {
          out.push({
            id: st.mgId(key),
            type: "Microsoft.Management/managementGroups",
            name: g.name,
            properties: {
              tenantId: st.tenantId,
              displayName: g.displayName,
              ...(g.parent !== undefined ? { parent: { id: st.mgId(g.parent) } } : {}),
              permissions: permission(chain),
              inheritedPermissions: permission(chain.slice(1)),
              numberOfDescendants: countDescendants(key),
              numberOfChildren: g.children.length + g.subSet.size,
              numberOfChildGroups: g.children.length,
              ...names(above),
            },
          });
        }
        if (view !== "groupsonly") {
          for (const s of g.subSet) {
            const sub = st.subs.get(s)!;
            const subChain = [scopeKey({ kind: "sub", sub: sub.subscriptionId }), ...chain];
            const visible =
              can("Microsoft.Management/managementGroups/read", subChain) || can("Microsoft.Resources/subscriptions/read", subChain);
            if (!visible || !match(sub.subscriptionId, sub.displayName)) continue;
            out.push({
              id: `/subscriptions/${sub.subscriptionId}`,
              type: "/subscriptions",
              name: sub.subscriptionId,
              properties: {
                tenantId: st.tenantId,
                displayName: sub.displayName,
                parent: { id: st.mgId(key) },
                permissions: permission(subChain),
                inheritedPermissions: permission(chain),
                ...names([...above, key]),
              },
            });
          }
        }
        for (const c of g.children) walk(c, [...above, key]);
      };
      walk(st.rootKey, []);
      return { status: 200, body: page(core, req.url, out) };
    },
  };
}

/** `$filter` of getEntities: `name eq '…'`, `contains(name, '…')`, `contains(displayName, '…')`, or none. */
function entityFilter(raw: string | null): (name: string, displayName: string) => boolean {
  if (raw === null || raw.trim() === "") return () => true;
  const eq = /^\s*name\s+eq\s+'([^']*)'\s*$/i.exec(raw);
  if (eq) return (name) => name.toLowerCase() === eq[1]!.toLowerCase();
  const contains = /^\s*contains\(\s*(name|displayName)\s*,\s*'([^']*)'\s*\)\s*$/i.exec(raw);
  if (contains) {
    const needle = contains[2]!.toLowerCase();
    return contains[1]!.toLowerCase() === "name"
      ? (name) => name.toLowerCase().includes(needle)
      : (_name, displayName) => displayName.toLowerCase().includes(needle);
  }
  throw badRequest(
    "BadRequest",
    `The $filter '${raw}' is invalid: use name eq '{entityName}', contains(name, '{substring}') or contains(displayName, '{substring}').`,
  );
}

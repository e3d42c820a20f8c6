import { authorize } from "./auth.ts";
import type { AzureCore } from "./core.ts";
import { invalidContent, notFound } from "./errors.ts";
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

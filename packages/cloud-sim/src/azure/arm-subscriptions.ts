import { authorize } from "./auth.ts";
import type { AzureCore } from "./core.ts";
import { invalidContent } from "./errors.ts";
import { isObject, prop } from "./validate.ts";
import { json, methodNotAllowed, page, type Req, type Route } from "./arm-common.ts";

// Microsoft.Resources routes: subscriptions and their tags.

export function subscriptionRoute(core: AzureCore, req: Req, segs: string[]): Route | undefined {
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
        return {
          status: 200,
          body: page(
            core,
            req.url,
            visible.map((s) => st.subArm(s)),
          ),
        };
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
  if (segs.length === 5 && l[2] === "providers" && l[3] === "microsoft.subscription" && (l[4] === "rename" || l[4] === "cancel")) {
    return subscriptionAction(core, req, sid, l[4], chain);
  }
  if (segs.length === 5 && l[2] === "providers" && l[3] === "microsoft.resources" && l[4] === "tags") {
    return undefined;
  }
  if (segs.length === 6 && l[2] === "providers" && l[3] === "microsoft.resources" && l[4] === "tags" && l[5] === "default") {
    const uri = `/subscriptions/${sid}/providers/Microsoft.Resources/tags/default`;
    const base = { family: "tags" as const, typeName: "tags", chain, authScope: uri };
    if (m === "GET") {
      return {
        ...base,
        op: "Tags_GetAtScope",
        method: "read",
        action: "Microsoft.Resources/tags/read",
        exec: () => ({ status: 200, body: st.tagsArm(st.mustSub(sid)) }),
      };
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
          core.emit(
            m === "DELETE" ? "delete" : "write",
            uri,
            m === "DELETE" ? "Microsoft.Resources/tags/delete" : "Microsoft.Resources/tags/write",
            caller,
            m,
          );
          return { status: 200, body: m === "DELETE" ? undefined : st.tagsArm(s) };
        },
      };
    }
    throw methodNotAllowed(m, req.url.pathname);
  }
  return undefined;
}

/**
 * Subscription_Rename (`POST /subscriptions/{id}/providers/Microsoft.Subscription/rename`, body
 * `{subscriptionName}`, answers `{subscriptionId}`) and Subscription_Cancel (`…/cancel`, answers
 * `{value: <id>}`, the subscription then Disabled): specification/subscription/resource-manager/
 * Microsoft.Subscription/stable/2021-10-01/subscriptions.json and examples/renameSubscription.json,
 * cancelSubscription.json. Both are actions on the subscription (`Microsoft.Subscription/<name>/action`),
 * recorded in the Activity Log and raised as ResourceActionSuccess events.
 */
function subscriptionAction(core: AzureCore, req: Req, sid: string, name: "rename" | "cancel", chain: () => string[]): Route {
  if (req.method !== "POST") throw methodNotAllowed(req.method, req.url.pathname);
  const st = core.state;
  const action = `Microsoft.Subscription/${name}/action`;
  return {
    family: "subscriptionActions",
    typeName: name,
    op: name === "rename" ? "Subscription_Rename" : "Subscription_Cancel",
    method: "write",
    action,
    chain,
    authScope: `/subscriptions/${sid}`,
    exec: (caller) => {
      const s = st.mustSub(sid);
      if (name === "rename") {
        const body = json(req);
        const n = isObject(body) ? prop(body, "subscriptionName") : undefined;
        if (typeof n !== "string" || n.trim() === "")
          throw invalidContent("Required property 'subscriptionName' not found in JSON. Path ''");
        s.displayName = n;
      } else s.state = "Disabled";
      core.emit("action", `/subscriptions/${s.subscriptionId}`, action, caller, "POST");
      return { status: 200, body: name === "rename" ? { subscriptionId: s.subscriptionId } : { value: s.subscriptionId } };
    },
  };
}

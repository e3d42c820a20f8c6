import { tryParseJson } from "../common/http.ts";
import type { AzureCore } from "./core.ts";
import { ArmError, badRequest, invalidContent } from "./errors.ts";
import type { Caller } from "./state.ts";

// What every ARM route shares: the reply and route shapes, body parsing, 405s and paging.

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
  /** Microsoft.Subscription's subscription actions (rename, cancel): specification/subscription/.../stable/2021-10-01. */
  subscriptionActions: ["2020-09-01", "2021-10-01"],
  /** activityLogs_API.json / tenantActivityLogs_API.json exist in 2015-04-01 only; @azure/arm-monitor 8.0.0 sends it. */
  activityLogs: ["2015-04-01"],
};

export interface Route {
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

export interface Req {
  method: string;
  url: URL;
  body: Buffer;
}

export function json(req: Req): unknown {
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

export function methodNotAllowed(method: string, path: string): ArmError {
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
      throw badRequest(
        "InvalidTopValue",
        `The value '${topRaw}' of query parameter '$top' is invalid. It must be an integer between 1 and 1000.`,
      );
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

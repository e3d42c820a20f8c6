import { readFileSync } from "node:fs";

/**
 * Permissions IAM v2 accepts in a deny rule ("Permissions supported in deny policies",
 * https://cloud.google.com/iam/docs/deny-permissions-support).
 *
 * Google answers 400 INVALID_ARGUMENT for any other permission, however well-formed: deny policies
 * support only some permissions, listed per service, each also accepted with the `resource.*` and
 * `*.*` wildcards the page lists for the service (e.g. `accessapproval.googleapis.com/requests.*`,
 * `accessapproval.googleapis.com/*.*`).
 *
 * What is vendored (deny-permissions.json): the whole list, 6,243 permissions, as scraped from that page
 * on 2025-11-17 (the page is a client-rendered table that could not be read here directly; the JSON
 * names the scrape it came from, and checks against the permissions previously read from the page by hand
 * agreed except for `cloudresourcemanager.googleapis.com/tagValueBindings.*`, which the page does not
 * list: tag bindings cannot be denied). A permission Google adds later is refused here until the file is
 * refreshed from the page.
 */
interface DenyList {
  source: string;
  retrieved: string;
  permissions: string[];
}

const LIST = JSON.parse(readFileSync(new URL("./deny-permissions.json", import.meta.url), "utf8")) as DenyList;

const SUPPORTED: readonly string[] = LIST.permissions;

function withWildcards(list: readonly string[]): Set<string> {
  const out = new Set(list);
  for (const p of list) {
    const [service, rest] = p.split("/") as [string, string];
    out.add(`${service}/*.*`);
    out.add(`${service}/${rest.slice(0, rest.lastIndexOf("."))}.*`);
  }
  return out;
}

const DENY_SUPPORTED_PERMISSIONS: ReadonlySet<string> = withWildcards(SUPPORTED);

export function denySupported(permission: string): boolean {
  return DENY_SUPPORTED_PERMISSIONS.has(permission);
}

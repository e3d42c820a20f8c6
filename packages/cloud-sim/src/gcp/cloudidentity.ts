/**
 * Cloud Identity Groups, the one read impact replay needs: which groups (directly or through other
 * groups) a user or service account belongs to, so a deny rule on `principalSet://goog/group/…` can be
 * judged. `GET /v1/groups/-/memberships:searchTransitiveGroups` (Cloud Identity API reference,
 * groups.memberships.searchTransitiveGroups):
 * - `query` is a CEL expression that MUST name the member (`member_key_id == '…'`) AND a label
 *   (`'cloudidentity.googleapis.com/groups.discussion_forum' in labels`); `pageSize` defaults to 200, at
 *   most 1000; answer `{memberships: [{group, groupKey: {id}, displayName, labels, roles, relationType}],
 *   nextPageToken}`.
 * - only for Workspace Enterprise / Cloud Identity Premium customers: otherwise 403 PERMISSION_DENIED.
 * - "Actor must have view permissions all transitive groups": in Workspace that is an admin role (Groups
 *   Reader), not an IAM grant; the simulator models it as the account's grant `cloudidentity.groups.get`.
 *
 * The simulator reads the query Parapet sends (that member clause and one label clause, either order)
 * and refuses any other as INVALID_ARGUMENT instead of guessing.
 */
import type { Ctx, GcpCore } from "./core.ts";
import { authorize } from "./core.ts";
import { GcpError, invalid } from "./errors.ts";
import type { Json } from "./wire.ts";

const DISCUSSION_FORUM = "cloudidentity.googleapis.com/groups.discussion_forum";

interface SimGroup {
  name: string;
  email: string;
  displayName: string;
  labels: Record<string, string>;
  /** Member e-mails: users, service accounts, other groups. */
  members: Set<string>;
}

interface Directory {
  groups: Map<string, SimGroup>;
  /** Workspace Enterprise / Cloud Identity Premium: transitive search is available. */
  premium: boolean;
}

const directories = new WeakMap<GcpCore, Directory>();

export function directoryOf(core: GcpCore): Directory {
  let d = directories.get(core);
  if (!d) directories.set(core, (d = { groups: new Map(), premium: true }));
  return d;
}

/** Creates or replaces a group with its direct members (admin API). */
export function putGroup(
  core: GcpCore,
  email: string,
  members: string[],
  labels: Record<string, string> = { [DISCUSSION_FORUM]: "" },
): Json {
  const d = directoryOf(core);
  const e = email.toLowerCase();
  const name = d.groups.get(e)?.name ?? `groups/0${(d.groups.size + 1).toString(16).padStart(14, "0")}`;
  d.groups.set(e, { name, email: e, displayName: e.split("@")[0]!, labels, members: new Set(members.map((m) => m.toLowerCase())) });
  return { name, groupKey: { id: e }, labels };
}

const MEMBER = /^member_key_id\s*==\s*'([^']+)'$/;
const LABEL = /^'([^']+)'\s+in\s+labels$/;

function parseQuery(q: string): { member: string; label: string } {
  const parts = q.split("&&").map((p) => p.trim());
  let member: string | undefined;
  let label: string | undefined;
  for (const p of parts) {
    const m = MEMBER.exec(p);
    const l = LABEL.exec(p);
    if (m && !member) member = m[1]!.toLowerCase();
    else if (l && !label) label = l[1]!;
    else throw invalid("Request contains an invalid argument.", "query");
  }
  if (!member || !label) throw invalid("Request contains an invalid argument.", "query");
  return { member, label };
}

export function searchTransitiveGroups(ctx: Ctx): Json {
  const q = ctx.query.get("query");
  if (!q) throw invalid("Request contains an invalid argument.", "query");
  const { member, label } = parseQuery(q);
  const pageSizeRaw = ctx.query.get("pageSize");
  const pageSize = pageSizeRaw === null ? 200 : Number(pageSizeRaw);
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > 1000) throw invalid("Request contains an invalid argument.", "page_size");
  authorize(ctx, "cloudidentity.groups.get", "groups/-");
  const d = directoryOf(ctx.core);
  if (!d.premium)
    throw new GcpError(
      "PERMISSION_DENIED",
      "This feature is only available to Google Workspace Enterprise Standard, Enterprise Plus, and Enterprise for Education; and Cloud Identity Premium accounts.",
    );
  // Breadth-first up the membership graph: direct groups first, then groups holding those.
  const found = new Map<string, "DIRECT" | "INDIRECT">();
  let frontier = [member];
  let relation: "DIRECT" | "INDIRECT" = "DIRECT";
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const g of d.groups.values()) {
      if (found.has(g.email)) continue;
      if (frontier.some((m) => g.members.has(m))) {
        found.set(g.email, relation);
        next.push(g.email);
      }
    }
    frontier = next;
    relation = "INDIRECT";
  }
  const all = [...found.entries()]
    .map(([email, rel]) => ({ g: d.groups.get(email)!, rel }))
    .filter(({ g }) => label in g.labels)
    .sort((a, b) => (a.g.email < b.g.email ? -1 : 1));
  const start = Number(ctx.query.get("pageToken") ?? "0");
  if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalid("Request contains an invalid argument.", "page_token");
  const size = pageSize === 0 ? 200 : pageSize;
  const page = all.slice(start, start + size);
  return {
    memberships: page.map(({ g, rel }) => ({
      group: g.name,
      groupKey: { id: g.email },
      displayName: g.displayName,
      labels: g.labels,
      roles: [{ role: "MEMBER" }],
      relationType: rel,
    })),
    ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}),
  };
}

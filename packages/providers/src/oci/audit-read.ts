import { models as idModels, requests as idRequests } from "oci-identity";
import type { AuditPage, AuditReadRequest, PrincipalFacts } from "../contract/audit.ts";
import { ProviderError } from "../contract/errors.ts";
import { parseOciAuditRecord } from "./audit-records.ts";
import type { OciContext } from "./context.ts";

/**
 * Reads the OCI Audit log for impact replay (Audit API 20190901 ListEvents through oci-audit's
 * AuditClient) and the group memberships deny statements test (Identity ListUserGroupMemberships,
 * GetGroup).
 *
 * ListEvents returns the events of one compartment, not of its subcompartments, "within the
 * specified time range", at minute granularity (ListEventsRequest in oci-audit 2.139.1), and Audit
 * is regional: this reads the credential's region. So a read walks the compartments in scope one
 * ListEvents page at a time; the page token remembers the compartment and the service's own page,
 * so memory holds one service page whatever the window.
 */

interface Cursor {
  /** Index into the sorted compartments in scope. */
  c: number;
  /** ListEvents' opc-next-page within that compartment. */
  p?: string;
}

function encode(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decode(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Cursor;
    if (Number.isInteger(c.c) && c.c >= 0 && (c.p === undefined || typeof c.p === "string")) return c;
  } catch {
    // fall through
  }
  throw new ProviderError("invalid", `pageToken: not a token this reader issued ("${token.slice(0, 40)}")`, false, "ListEvents");
}

const MINUTE = 60_000;

/** The compartments to read: those asked for, else the tenancy and every active compartment below it. */
async function compartmentsInScope(ctx: OciContext, req: AuditReadRequest): Promise<string[]> {
  if (req.nodeExternalIds && req.nodeExternalIds.length > 0) return [...new Set(req.nodeExternalIds)].sort();
  const below = await ctx.pages("ListCompartments", async (page) => {
    const r = await ctx.clients.identity.listCompartments({
      compartmentId: ctx.tenancyId,
      compartmentIdInSubtree: true,
      accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
      lifecycleState: "ACTIVE",
      limit: ctx.pageLimit,
      ...(page ? { page } : {}),
    });
    return { items: r.items, next: r.opcNextPage };
  });
  return [ctx.tenancyId, ...below.map((c) => c.id).sort()];
}

export async function readOciAuditEvents(ctx: OciContext, req: AuditReadRequest): Promise<AuditPage> {
  if (!(req.since instanceof Date) || Number.isNaN(req.since.getTime()))
    throw new ProviderError("invalid", "since: not a date", false, "ListEvents");
  if (!(req.until instanceof Date) || Number.isNaN(req.until.getTime()))
    throw new ProviderError("invalid", "until: not a date", false, "ListEvents");
  if (req.until.getTime() <= req.since.getTime()) {
    throw new ProviderError(
      "invalid",
      `until (${req.until.toISOString()}) must be after since (${req.since.toISOString()})`,
      false,
      "ListEvents",
    );
  }
  const compartments = await compartmentsInScope(ctx, req);
  // ListEvents takes whole minutes; the window is widened to them and the events filtered back.
  const startTime = new Date(Math.floor(req.since.getTime() / MINUTE) * MINUTE);
  const endTime = new Date(Math.ceil(req.until.getTime() / MINUTE) * MINUTE);
  let cursor = req.pageToken ? decode(req.pageToken) : { c: 0 };
  const skipped: Record<string, number> = {};
  const events: AuditPage["events"] = [];
  // One service page per call; empty compartments are stepped over so a page is rarely empty.
  while (cursor.c < compartments.length) {
    const compartmentId = compartments[cursor.c] as string;
    const page = cursor.p;
    const r = await ctx.call("ListEvents", false, () =>
      ctx.clients.audit.listEvents({ compartmentId, startTime, endTime, ...(page ? { page } : {}) }),
    );
    for (const raw of r.items) {
      const parsed = parseOciAuditRecord(raw, { region: ctx.creds.region });
      if (!parsed.ok) {
        skipped[parsed.reason] = (skipped[parsed.reason] ?? 0) + 1;
        continue;
      }
      const t = Date.parse(parsed.event.time);
      if (t < req.since.getTime() || t >= req.until.getTime()) continue;
      events.push(parsed.event);
    }
    cursor = r.opcNextPage ? { c: cursor.c, p: r.opcNextPage } : { c: cursor.c + 1 };
    // ListEvents has no page-size parameter: a page is what the service returns for one call.
    if (events.length > 0) break;
  }
  return {
    events,
    ...(cursor.c < compartments.length ? { nextPageToken: encode(cursor) } : {}),
    ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
  };
}

/**
 * Users' group memberships (ids and names), which OCI statements test and Audit does not log. Only
 * users have group memberships; instance and resource principals match dynamic groups by rules,
 * which this does not evaluate, so they are left out (the caller treats a missing id as unknown).
 */
export async function lookupOciPrincipals(ctx: OciContext, ids: readonly string[]): Promise<PrincipalFacts[]> {
  const out: PrincipalFacts[] = [];
  const names = new Map<string, string>();
  for (const id of [...new Set(ids)]) {
    if (!/^ocid1\.user\./.test(id)) continue;
    let memberships;
    try {
      memberships = await ctx.pages("ListUserGroupMemberships", async (page) => {
        const r = await ctx.clients.identity.listUserGroupMemberships({
          compartmentId: ctx.tenancyId,
          userId: id,
          limit: ctx.pageLimit,
          ...(page ? { page } : {}),
        });
        return { items: r.items, next: r.opcNextPage };
      });
    } catch (e) {
      if (ctx.isNotFound(e)) {
        out.push({ id, found: false });
        continue;
      }
      throw e;
    }
    const groups = memberships.filter((m) => m.lifecycleState === idModels.UserGroupMembership.LifecycleState.Active).map((m) => m.groupId);
    for (const g of groups) {
      if (names.has(g)) continue;
      const r = await ctx.call("GetGroup", false, () => ctx.clients.identity.getGroup({ groupId: g }));
      names.set(g, r.group.name);
    }
    out.push({ id, found: true, groups, groupNames: groups.map((g) => names.get(g) as string) });
  }
  return out;
}

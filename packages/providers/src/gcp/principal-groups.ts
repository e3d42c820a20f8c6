/**
 * Which Google groups a caller is in, for impact replay of deny rules on `principalSet://goog/group/…`
 * (audit entries name the caller, never its groups). Cloud Identity's searchTransitiveGroups answers for
 * direct and nested membership at once. It exists only for Workspace Enterprise / Cloud Identity Premium
 * customers and needs a Groups Reader admin role; where either is missing it answers 403, and the replay
 * then counts those calls as "group membership unknown" rather than guessing (found: false).
 */
import type { PrincipalFacts } from "../contract/audit.ts";
import type { GcpContext } from "./context.ts";
import { gcpStatus } from "./errors.ts";

/** Contexts whose directory refused the search once: asking again per principal would only repeat the 403. */
const refused = new WeakSet<GcpContext>();

export async function lookupGcpPrincipalGroups(ctx: GcpContext, ids: readonly string[]): Promise<PrincipalFacts[]> {
  const out: PrincipalFacts[] = [];
  for (const id of [...new Set(ids)]) {
    // Audit entries name callers `user:…` or `serviceAccount:…` (AuditLog.authenticationInfo.principalEmail).
    const email = /^(user|serviceAccount):(.+@.+)$/.exec(id)?.[2];
    if (!email || refused.has(ctx)) {
      out.push({ id, found: false });
      continue;
    }
    const groups: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await ctx.call("cloudidentity.SearchTransitiveGroups", false, () => ctx.c.groups.searchTransitiveGroups(email, token));
        for (const m of page.memberships ?? []) if (m.groupKey?.id) groups.push(`principalSet://goog/group/${m.groupKey.id.toLowerCase()}`);
        token = page.nextPageToken;
      } while (token);
    } catch (e) {
      if (gcpStatus(e) !== "PERMISSION_DENIED") throw e;
      refused.add(ctx);
      out.push({ id, found: false });
      continue;
    }
    out.push({ id, found: true, groups: [...new Set(groups)].sort() });
  }
  return out;
}

/**
 * Alerts that come from the passing of time rather than from an action: an exemption about to expire
 * (T-15 days and T-1 day by default, per workspace), an exemption that expired, and coverage below the
 * workspace's threshold (told once when it drops, closed once it recovers). Run by the `notifications.scan`
 * job every minute; each alert carries a dedup key and is inserted only once, so a rerun tells nothing twice.
 */
import type { PrismaClient } from "@parapet/db";
import type { NotificationEventInput } from "./events.ts";
import {
  activeExemptionsEnding,
  allNotificationSettings,
  coverageCounts,
  existingDedupKeys,
  insertEvents,
  upsertNotificationSettings,
} from "./notifications.repository.ts";

export const DEFAULT_EXPIRY_WARN_DAYS = [15, 1];
const DAY = 86_400_000;

/** What an exemption spares, in words: its environment, or its principal in every environment. */
const subjectOf = (e: { node: { name: string } | null; principal: string | null }) =>
  e.node ? e.node.name : `the principal ${e.principal ?? "?"}`;

export async function scanNotifications(prisma: PrismaClient, now = new Date()): Promise<{ emitted: number }> {
  const settings = await allNotificationSettings(prisma);
  const warnDays = new Map(settings.map((s) => [s.workspaceId, s.expiryWarnDays.length ? s.expiryWarnDays : DEFAULT_EXPIRY_WARN_DAYS]));
  const longest = Math.max(...DEFAULT_EXPIRY_WARN_DAYS, ...settings.flatMap((s) => s.expiryWarnDays));
  const candidates: Array<{ key: string; event: NotificationEventInput }> = [];

  // Ending soon: only the nearest warning that applies (an exemption granted for 3 days hears "1 day", not "15 days" too).
  for (const e of await activeExemptionsEnding(prisma, now, new Date(now.getTime() + longest * DAY))) {
    const left = e.expiresAt.getTime() - now.getTime();
    const days = [...(warnDays.get(e.workspaceId) ?? DEFAULT_EXPIRY_WARN_DAYS)].sort((a, b) => a - b).find((d) => left <= d * DAY);
    if (days === undefined) continue;
    const key = `exemption-expiring:${e.id}:${days}`;
    candidates.push({
      key,
      event: {
        workspaceId: e.workspaceId,
        type: "exemption.expiring",
        severity: days <= 1 ? "warning" : "info",
        title: `Exemption of ${subjectOf(e)} from "${e.guardrail.name}" ends ${e.expiresAt.toISOString().slice(0, 10)} (in ${Math.max(1, Math.ceil(left / DAY))} day${left > DAY ? "s" : ""})`,
        ...(e.node ? { connectionId: e.node.connectionId } : {}),
        guardrailId: e.guardrailId,
        labels: (e.node?.effectiveLabels ?? {}) as Record<string, string>,
        detail: { environment: subjectOf(e), guardrail: e.guardrail.name, owner: e.ownerEmail, expires: e.expiresAt.toISOString() },
        dedupKey: key,
      },
    });
  }
  // Ended (within the last week: older ones were told before, or predate alerts).
  for (const e of await activeExemptionsEnding(prisma, new Date(now.getTime() - 7 * DAY), now)) {
    const key = `exemption-expired:${e.id}`;
    candidates.push({
      key,
      event: {
        workspaceId: e.workspaceId,
        type: "exemption.expired",
        severity: "info",
        title: `Exemption of ${subjectOf(e)} from "${e.guardrail.name}" has expired; the guardrail applies again`,
        ...(e.node ? { connectionId: e.node.connectionId } : {}),
        guardrailId: e.guardrailId,
        labels: (e.node?.effectiveLabels ?? {}) as Record<string, string>,
        detail: { environment: subjectOf(e), guardrail: e.guardrail.name, owner: e.ownerEmail },
        dedupKey: key,
      },
    });
  }
  const told = await existingDedupKeys(
    prisma,
    candidates.map((c) => c.key),
  );
  const events = candidates.filter((c) => !told.has(c.key)).map((c) => c.event);

  // Coverage threshold, per workspace that set one.
  for (const s of settings) {
    if (s.coverageThreshold === null) continue;
    const by = new Map((await coverageCounts(prisma, s.workspaceId)).map((r) => [r.status, r._sum.n ?? 0]));
    const counted = [...by.entries()].filter(([st]) => st !== "unsupported").reduce((n, [, v]) => n + v, 0);
    if (counted === 0) continue;
    const pct = (100 * (by.get("enforced") ?? 0)) / counted;
    const below = pct < s.coverageThreshold;
    if (below === s.coverageAlertOpen) continue;
    events.push({
      workspaceId: s.workspaceId,
      type: "coverage.below_threshold",
      severity: below ? "warning" : "info",
      title: below
        ? `Coverage fell to ${pct.toFixed(1)} %, below the ${s.coverageThreshold} % threshold`
        : `Coverage is back at ${pct.toFixed(1)} % (threshold ${s.coverageThreshold} %)`,
      detail: { coverage: Number(pct.toFixed(1)), threshold: s.coverageThreshold },
      dedupKey: `coverage:${s.workspaceId}`,
      resolves: !below,
    });
    await upsertNotificationSettings(prisma, s.workspaceId, { coverageAlertOpen: below });
  }
  return { emitted: await insertEvents(prisma, events) };
}

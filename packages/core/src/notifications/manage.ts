/**
 * Managing alerts (admin-only: the `notification:manage` permission): channels with their sealed
 * secrets, rules, "send test", the delivery log and the workspace's alert settings. Every change is
 * an audit event; a secret is never read back (only a hint of it).
 */
import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type DbClient } from "../common/actor.ts";
import { AppError, invalidField, notFound } from "../common/errors.ts";
import { decodeCursor, toPage } from "../common/pagination.ts";
import type { Keyring } from "../connections/secrets.ts";
import { can } from "../identity/roles.ts";
import { z } from "zod";
import {
  deleteChannelRow,
  deleteRuleRow,
  deliveryPage,
  findChannel,
  findChannelByName,
  findNotificationSettings,
  findRule,
  insertChannel,
  insertPendingDelivery,
  insertRule,
  listChannelRows,
  listRuleRows,
  newId,
  updateChannelRow,
  updateRuleRow,
  upsertNotificationSettings,
  workspaceIdsExist,
} from "./notifications.repository.ts";
import type {
  TCreateChannelInput,
  TCreateRuleInput,
  TUpdateChannelInput,
  TUpdateNotificationSettingsInput,
  TUpdateRuleInput,
} from "./notifications.schema.ts";
import { DEFAULT_EXPIRY_WARN_DAYS } from "./scan.ts";
import { sealChannelSecret } from "./secrets.ts";

export interface NotificationDeps {
  prisma: DbClient;
  /** Resolved lazily: without a master key, storing a secret answers 503. */
  keys: () => Keyring;
}

function mustManage(actor: Actor) {
  if (!can(actor.role, "notification", "manage")) throw new AppError("forbidden", `your role (${actor.role}) cannot manage notifications`);
}

type ChannelRow = NonNullable<Awaited<ReturnType<typeof findChannel>>>;
type RuleRow = NonNullable<Awaited<ReturnType<typeof findRule>>>;

const hint = (s: string) => `…${s.slice(-4)}`;

function channelView(c: ChannelRow) {
  const config = (c.config ?? {}) as { url?: string; to?: string[] };
  const target =
    c.kind === "webhook"
      ? (config.url ?? "")
      : c.kind === "email"
        ? (config.to ?? []).join(", ")
        : c.secretHint
          ? `secret ${c.secretHint}`
          : "";
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    target,
    health: c.health,
    consecutiveFailures: c.consecutiveFailures,
    failingSince: c.failingSince?.toISOString() ?? null,
    lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

function ruleView(r: RuleRow) {
  return {
    id: r.id,
    name: r.name,
    channelId: r.channelId,
    eventTypes: r.eventTypes,
    connectionIds: r.connectionIds,
    guardrailIds: r.guardrailIds,
    labels: (r.labels ?? {}) as Record<string, string>,
    minSeverity: r.minSeverity,
    digestWindowSec: r.digestWindowSec,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
  };
}

/** What a kind needs: the secret to seal (if any), the non-secret config, and a generated key to show once. */
function channelParts(kind: string, input: Pick<TCreateChannelInput, "url" | "secret" | "routingKey" | "to">, creating: boolean) {
  const need = (field: "url" | "routingKey" | "to", v: unknown) => {
    if (v === undefined && creating) throw invalidField(field, `is required for a ${kind} channel`);
  };
  const refuse = (field: "url" | "secret" | "routingKey" | "to") => {
    if (input[field] !== undefined) throw invalidField(field, `is not used by a ${kind} channel`);
  };
  switch (kind) {
    case "slack":
    case "teams":
      need("url", input.url);
      refuse("secret");
      refuse("routingKey");
      refuse("to");
      return { secret: input.url, config: undefined, generated: undefined };
    case "webhook": {
      need("url", input.url);
      refuse("routingKey");
      refuse("to");
      const generated = creating && !input.secret ? `whsec_${randomBytes(24).toString("hex")}` : undefined;
      return { secret: input.secret ?? generated, config: input.url === undefined ? undefined : { url: input.url }, generated };
    }
    case "pagerduty":
      need("routingKey", input.routingKey);
      refuse("url");
      refuse("secret");
      refuse("to");
      return { secret: input.routingKey, config: undefined, generated: undefined };
    default:
      need("to", input.to);
      refuse("url");
      refuse("secret");
      refuse("routingKey");
      return { secret: undefined, config: input.to === undefined ? undefined : { to: input.to }, generated: undefined };
  }
}

function sealed(deps: NotificationDeps, id: string, secret: string | undefined) {
  if (secret === undefined) return {};
  let keys: Keyring;
  try {
    keys = deps.keys();
  } catch {
    throw new AppError("unavailable", "secrets cannot be stored: the server has no master key configured");
  }
  return { secretSealed: sealChannelSecret(keys, id, secret), secretHint: hint(secret) };
}

async function uniqueName(deps: NotificationDeps, workspaceId: string, name: string, except?: string) {
  const clash = await findChannelByName(deps.prisma, workspaceId, name);
  if (clash && clash.id !== except)
    throw new AppError("conflict", `name: a channel named "${name}" already exists`, [{ field: "name", message: "is taken" }]);
}

export async function listChannels(deps: NotificationDeps, actor: Actor) {
  mustManage(actor);
  return { items: (await listChannelRows(deps.prisma, actor.workspaceId)).map(channelView) };
}

export async function createChannel(deps: NotificationDeps, actor: Actor, input: TCreateChannelInput) {
  mustManage(actor);
  const parts = channelParts(input.kind, input, true);
  await uniqueName(deps, actor.workspaceId, input.name);
  const id = newId("nch");
  const row = await insertChannel(deps.prisma, {
    id,
    workspaceId: actor.workspaceId,
    name: input.name,
    kind: input.kind,
    config: parts.config ?? {},
    enabled: input.enabled ?? true,
    createdBy: actor.userId,
    ...sealed(deps, id, parts.secret),
  });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.channel_created",
    targetType: "notification_channel",
    targetId: id,
    data: { name: input.name, kind: input.kind },
  });
  return { ...channelView(row), ...(parts.generated ? { signingSecret: parts.generated } : {}) };
}

async function channelOf(deps: NotificationDeps, actor: Actor, id: string) {
  const c = await findChannel(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("channel", id);
  return c;
}

export async function updateChannel(deps: NotificationDeps, actor: Actor, id: string, input: TUpdateChannelInput) {
  mustManage(actor);
  const c = await channelOf(deps, actor, id);
  const parts = channelParts(c.kind, input, false);
  if (input.name !== undefined) await uniqueName(deps, actor.workspaceId, input.name, id);
  const row = await updateChannelRow(deps.prisma, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(parts.config ? { config: { ...((c.config ?? {}) as object), ...parts.config } } : {}),
    ...sealed(deps, id, parts.secret),
    // A changed destination deserves a fresh start: the old failures were the old address's.
    ...(parts.secret !== undefined || parts.config ? { health: "ok", consecutiveFailures: 0, failingSince: null } : {}),
  });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.channel_updated",
    targetType: "notification_channel",
    targetId: id,
    data: {
      fields: Object.keys(input).filter((k) => k !== "secret" && k !== "routingKey" && k !== "url"),
      secretChanged: parts.secret !== undefined,
    },
  });
  return channelView(row);
}

export async function deleteChannel(deps: NotificationDeps, actor: Actor, id: string) {
  mustManage(actor);
  const c = await channelOf(deps, actor, id);
  await deleteChannelRow(deps.prisma, id);
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.channel_deleted",
    targetType: "notification_channel",
    targetId: id,
    data: { name: c.name, kind: c.kind },
  });
  return { deleted: true };
}

/** "Send test": a delivery row the worker's next tick sends (within seconds); its outcome shows in the log. */
export async function testChannel(deps: NotificationDeps, actor: Actor, id: string) {
  mustManage(actor);
  const c = await channelOf(deps, actor, id);
  const d = await insertPendingDelivery(deps.prisma, {
    workspaceId: actor.workspaceId,
    channelId: c.id,
    kind: "test",
    eventType: "channel.test",
    maxAttempts: 3,
  });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.channel_tested",
    targetType: "notification_channel",
    targetId: id,
    data: { deliveryId: d.id },
  });
  return { deliveryId: d.id };
}

const ZDeliveryCursor = z.object({ t: z.string().min(1).max(40), id: z.string().min(1).max(64) });

export async function listDeliveries(deps: NotificationDeps, actor: Actor, id: string, q: { limit: number; cursor?: string | undefined }) {
  mustManage(actor);
  await channelOf(deps, actor, id);
  const after = decodeCursor(q.cursor, ZDeliveryCursor);
  // A cursor's time came from a row (after 1970): year 0 or 10000 parses but PostgreSQL cannot compare it (a 500 before).
  if (after && !(Date.parse(after.t) >= 0 && Date.parse(after.t) < 253_402_300_800_000))
    throw invalidField("cursor", "is not a cursor this list returned");
  const rows = await deliveryPage(deps.prisma, id, q.limit, after);
  return toPage(
    rows,
    q.limit,
    (d) => ({
      id: d.id,
      kind: d.kind,
      eventType: d.eventType,
      status: d.status,
      eventCount: d.eventCount,
      attempts: d.attempts,
      maxAttempts: d.maxAttempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      notBefore: d.notBefore.toISOString(),
      createdAt: d.createdAt.toISOString(),
      sentAt: d.sentAt?.toISOString() ?? null,
    }),
    (d) => ({ t: d.createdAt.toISOString(), id: d.id }),
  );
}

async function checkFilters(deps: NotificationDeps, actor: Actor, input: Pick<TCreateRuleInput, "connectionIds" | "guardrailIds">) {
  for (const [field, table] of [
    ["connectionIds", "connection"],
    ["guardrailIds", "guardrail"],
  ] as const) {
    const ids = [...new Set(input[field] ?? [])];
    if (!ids.length) continue;
    const found = new Set((await workspaceIdsExist(deps.prisma, actor.workspaceId, table, ids)).map((r) => r.id));
    const missing = ids.find((i) => !found.has(i));
    if (missing) throw invalidField(field, `no ${table} "${missing}" in this workspace`);
  }
}

export async function listRules(deps: NotificationDeps, actor: Actor) {
  mustManage(actor);
  return { items: (await listRuleRows(deps.prisma, actor.workspaceId)).map(ruleView) };
}

export async function createRule(deps: NotificationDeps, actor: Actor, input: TCreateRuleInput) {
  mustManage(actor);
  if (!(await findChannel(deps.prisma, actor.workspaceId, input.channelId)))
    throw invalidField("channelId", `no channel "${input.channelId}" in this workspace`);
  await checkFilters(deps, actor, input);
  const r = await insertRule(deps.prisma, {
    workspaceId: actor.workspaceId,
    channelId: input.channelId,
    name: input.name,
    eventTypes: [...new Set(input.eventTypes)],
    connectionIds: [...new Set(input.connectionIds ?? [])],
    guardrailIds: [...new Set(input.guardrailIds ?? [])],
    labels: input.labels ?? {},
    minSeverity: input.minSeverity ?? "info",
    digestWindowSec: input.digestWindowSec ?? 60,
    enabled: input.enabled ?? true,
  });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.rule_created",
    targetType: "notification_rule",
    targetId: r.id,
    data: { name: r.name, channelId: r.channelId, eventTypes: r.eventTypes },
  });
  return ruleView(r);
}

export async function updateRule(deps: NotificationDeps, actor: Actor, id: string, input: TUpdateRuleInput) {
  mustManage(actor);
  if (!(await findRule(deps.prisma, actor.workspaceId, id))) throw notFound("rule", id);
  await checkFilters(deps, actor, input);
  const r = await updateRuleRow(deps.prisma, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.eventTypes ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
    ...(input.connectionIds ? { connectionIds: [...new Set(input.connectionIds)] } : {}),
    ...(input.guardrailIds ? { guardrailIds: [...new Set(input.guardrailIds)] } : {}),
    ...(input.labels ? { labels: input.labels } : {}),
    ...(input.minSeverity ? { minSeverity: input.minSeverity } : {}),
    ...(input.digestWindowSec !== undefined ? { digestWindowSec: input.digestWindowSec } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
  });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.rule_updated",
    targetType: "notification_rule",
    targetId: id,
    data: { fields: Object.keys(input) },
  });
  return ruleView(r);
}

export async function deleteRule(deps: NotificationDeps, actor: Actor, id: string) {
  mustManage(actor);
  const r = await findRule(deps.prisma, actor.workspaceId, id);
  if (!r) throw notFound("rule", id);
  await deleteRuleRow(deps.prisma, id);
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.rule_deleted",
    targetType: "notification_rule",
    targetId: id,
    data: { name: r.name },
  });
  return { deleted: true };
}

export async function getNotificationSettings(deps: Pick<NotificationDeps, "prisma">, actor: Actor) {
  mustManage(actor);
  const s = await findNotificationSettings(deps.prisma, actor.workspaceId);
  return {
    expiryWarnDays: s?.expiryWarnDays.length ? s.expiryWarnDays : DEFAULT_EXPIRY_WARN_DAYS,
    coverageThreshold: s?.coverageThreshold ?? null,
    exemptionMaxDays: s?.exemptionMaxDays ?? 30,
  };
}

export async function updateNotificationSettings(
  deps: Pick<NotificationDeps, "prisma">,
  actor: Actor,
  input: TUpdateNotificationSettingsInput,
) {
  mustManage(actor);
  const s = await upsertNotificationSettings(deps.prisma, actor.workspaceId, {
    ...(input.expiryWarnDays ? { expiryWarnDays: [...new Set(input.expiryWarnDays)].sort((a, b) => b - a) } : {}),
    ...(input.coverageThreshold !== undefined ? { coverageThreshold: input.coverageThreshold, coverageAlertOpen: false } : {}),
    ...(input.exemptionMaxDays !== undefined ? { exemptionMaxDays: input.exemptionMaxDays } : {}),
  });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "notification.settings_updated",
    targetType: "workspace",
    targetId: actor.workspaceId,
    data: { ...input },
  });
  return { expiryWarnDays: s.expiryWarnDays, coverageThreshold: s.coverageThreshold, exemptionMaxDays: s.exemptionMaxDays };
}

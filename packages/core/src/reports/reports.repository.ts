/**
 * Reads the history a report is built from. Every query is scoped by workspace and bounded by the
 * report period, so building a report costs the same on day one and after years of history.
 */
import type { PrismaClient } from "@parapet/db";
import { notFound } from "../common/errors.ts";
import { EXEMPTION_WINDOW_DAYS, TREND_WEEKS, type TReportInput } from "./assemble-report.ts";
import { addDays, localDateString } from "./zoned-time.ts";

export interface TWorkspaceReportSettings {
  timezone: string;
  reportDay: number;
  reportHour: number;
}

export const DEFAULT_REPORT_SETTINGS: TWorkspaceReportSettings = { timezone: "UTC", reportDay: 1, reportHour: 8 };

export async function getReportSettings(prisma: PrismaClient, workspaceId: string): Promise<TWorkspaceReportSettings> {
  const s = await prisma.workspaceSettings.findUnique({
    where: { workspaceId },
    select: { timezone: true, reportDay: true, reportHour: true },
  });
  return s ?? DEFAULT_REPORT_SETTINGS;
}

export async function loadReportInput(
  prisma: PrismaClient,
  workspaceId: string,
  period: { start: Date; end: Date },
  timezone: string,
  generatedAt: Date,
): Promise<TReportInput> {
  const ws = await prisma.workspace.findUnique({ where: { id: workspaceId }, select: { id: true, name: true } });
  if (!ws) throw notFound("workspace", workspaceId);
  const endDay = localDateString(new Date(period.end.getTime() - 1), timezone);
  const firstDay = addDays(endDay, -7 * TREND_WEEKS);
  const [samples, guardrails, drift, newNodes, exemptions, approvals] = await Promise.all([
    prisma.coverageSample.findMany({
      where: { workspaceId, day: { gt: new Date(`${firstDay}T00:00:00Z`), lte: new Date(`${endDay}T00:00:00Z`) } },
      select: { day: true, cloud: true, guardrailId: true, counts: true },
    }),
    prisma.guardrail.findMany({ where: { workspaceId }, select: { id: true, name: true, controlId: true } }),
    prisma.driftFinding.findMany({
      where: { workspaceId, openedAt: { lt: period.end }, OR: [{ resolvedAt: null }, { resolvedAt: { gte: period.start } }] },
      select: {
        id: true,
        kind: true,
        summary: true,
        openedAt: true,
        resolvedAt: true,
        resolution: true,
        connection: { select: { cloud: true } },
        guardrail: { select: { name: true } },
        node: { select: { name: true } },
      },
    }),
    prisma.node.findMany({
      where: { workspaceId, isEnvironment: true, state: "active", discoveredAt: { gte: period.start, lt: period.end } },
      select: {
        id: true,
        name: true,
        externalId: true,
        discoveredAt: true,
        connection: { select: { cloud: true, name: true } },
        coverageRows: { select: { status: true } },
      },
      take: 500,
    }),
    prisma.exemption.findMany({
      where: {
        workspaceId,
        status: "active",
        expiresAt: { gte: period.end, lt: new Date(period.end.getTime() + EXEMPTION_WINDOW_DAYS * 86_400_000) },
      },
      select: {
        id: true,
        reason: true,
        ownerEmail: true,
        expiresAt: true,
        guardrail: { select: { name: true } },
        node: { select: { name: true, connection: { select: { cloud: true } } } },
        principal: true,
        principalCloud: true,
      },
    }),
    // Pending at the end of the period: still pending, or decided after it.
    prisma.approval.findMany({
      where: { workspaceId, createdAt: { lt: period.end }, OR: [{ status: "pending" }, { decidedAt: { gte: period.end } }] },
      select: { id: true, action: true, summary: true, requestedById: true, createdAt: true },
    }),
  ]);
  const requesterIds = [...new Set(approvals.map((a) => a.requestedById))];
  const users = requesterIds.length
    ? await prisma.user.findMany({ where: { id: { in: requesterIds } }, select: { id: true, email: true } })
    : [];
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  return {
    workspace: ws,
    timezone,
    period,
    generatedAt,
    samples: samples.map((s) => ({ day: s.day.toISOString().slice(0, 10), cloud: s.cloud, guardrailId: s.guardrailId, counts: s.counts })),
    guardrails,
    drift: drift.map((d) => ({
      id: d.id,
      kind: d.kind,
      summary: d.summary,
      cloud: d.connection.cloud,
      guardrail: d.guardrail?.name ?? null,
      environment: d.node?.name ?? null,
      openedAt: d.openedAt,
      resolvedAt: d.resolvedAt,
      resolution: d.resolution,
    })),
    newEnvironments: newNodes.map((n) => ({
      nodeId: n.id,
      name: n.name,
      externalId: n.externalId,
      cloud: n.connection.cloud,
      connection: n.connection.name,
      discoveredAt: n.discoveredAt,
      pairs: n.coverageRows.length,
      covered: n.coverageRows.filter((r) => r.status === "enforced" || r.status === "exempt").length,
    })),
    exemptions: exemptions.map((e) => ({
      id: e.id,
      guardrail: e.guardrail.name,
      // A principal exemption spares one identity in every environment of its cloud (the table's CHECK
      // constraint guarantees principal and principalCloud when there is no node).
      environment: e.node ? e.node.name : `principal ${e.principal!} (every environment)`,
      cloud: e.node ? e.node.connection.cloud : e.principalCloud!,
      ownerEmail: e.ownerEmail,
      reason: e.reason,
      expiresAt: e.expiresAt,
    })),
    approvals: approvals.map((a) => ({
      id: a.id,
      action: a.action,
      summary: a.summary,
      requestedBy: emailOf.get(a.requestedById) ?? a.requestedById,
      createdAt: a.createdAt,
    })),
  };
}

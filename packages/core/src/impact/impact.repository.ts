/** The only file of the impact domain that calls Prisma. */
import type { Prisma } from "@parapet/db";
import type { DbClient as PrismaClient } from "../common/actor.ts";
import { exemptionsBearingOn } from "../exemptions/exemptions.repository.ts";

export function findGuardrailForImpact(prisma: PrismaClient, workspaceId: string, guardrailId: string) {
  return prisma.guardrail.findFirst({
    where: { id: guardrailId, workspaceId, status: { not: "deleted" } },
    select: { id: true, name: true, controlId: true, currentVersion: true, versions: { select: { version: true } } },
  });
}

/** Connections of the workspace a replay can run on: set up (credentials) and not disabled. */
export function replayableConnections(prisma: PrismaClient, workspaceId: string) {
  return prisma.connection.findMany({
    where: { workspaceId, credentialCiphertext: { not: null }, status: { not: "disabled" } },
    select: { id: true, name: true, cloud: true },
    orderBy: { createdAt: "asc" },
  });
}

/** Replays of this guardrail still queued or running, per connection (a second request collapses into them). */
export function pendingReports(prisma: PrismaClient, guardrailId: string, guardrailVersion: number) {
  return prisma.impactReport.findMany({
    where: { guardrailId, guardrailVersion, status: { in: ["queued", "running"] } },
    select: { id: true, connectionId: true },
  });
}

export function createReports(prisma: PrismaClient, rows: Prisma.ImpactReportUncheckedCreateInput[]) {
  return prisma.$transaction(rows.map((data) => prisma.impactReport.create({ data, select: { id: true, connectionId: true } })));
}

const VIEW_SELECT = {
  id: true,
  guardrailId: true,
  guardrailVersion: true,
  windowStart: true,
  windowEnd: true,
  status: true,
  summary: true,
  lockout: true,
  error: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  connection: { select: { id: true, name: true, cloud: true } },
} as const;

/** The newest report per connection for a guardrail, newest first. */
export async function latestReports(prisma: PrismaClient, workspaceId: string, guardrailId: string) {
  const rows = await prisma.impactReport.findMany({
    where: { workspaceId, guardrailId },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: VIEW_SELECT,
  });
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.connection.id) ? false : (seen.add(r.connection.id), true)));
}

export type TImpactReportRow = Awaited<ReturnType<typeof latestReports>>[number];

/** Everything the worker needs to replay one report. */
export function loadReportForReplay(prisma: PrismaClient, reportId: string) {
  return prisma.impactReport.findUnique({
    where: { id: reportId },
    include: {
      guardrail: { select: { id: true, controlId: true, name: true, workspaceId: true, versions: true } },
      connection: true,
    },
  });
}

export function connectionNodes(prisma: PrismaClient, connectionId: string) {
  return prisma.node.findMany({
    where: { connectionId, state: "active" },
    select: { id: true, externalId: true, parentId: true, name: true, isEnvironment: true, effectiveLabels: true },
  });
}

/** The guardrail's active exemptions that bear on one connection: its nodes', and its cloud's principals'. */
export function activeExemptions(prisma: PrismaClient, guardrailId: string, connectionId: string, cloud: "aws" | "azure" | "gcp" | "oci") {
  return exemptionsBearingOn(prisma, { guardrailId }, connectionId, cloud);
}

/** Claims a queued report (a retried job finds it running and takes it again). */
export function markRunning(prisma: PrismaClient, reportId: string) {
  return prisma.impactReport.updateMany({
    where: { id: reportId, status: { in: ["queued", "running"] } },
    data: { status: "running", startedAt: new Date(), error: null },
  });
}

export function markDone(prisma: PrismaClient, reportId: string, summary: object, lockout: boolean) {
  return prisma.impactReport.update({ where: { id: reportId }, data: { status: "done", summary, lockout, finishedAt: new Date() } });
}

export function markFailed(prisma: PrismaClient, reportId: string, error: string) {
  return prisma.impactReport.update({
    where: { id: reportId },
    data: { status: "failed", error: error.slice(0, 2000), finishedAt: new Date() },
  });
}

/**
 * Connections where the newest finished replay of the guardrail's version found a lockout (a newer
 * clean replay, say after the connector class was corrected, clears it).
 */
export async function lockoutReports(prisma: PrismaClient, guardrailId: string, guardrailVersion: number) {
  const rows = await prisma.impactReport.findMany({
    where: { guardrailId, guardrailVersion, status: "done" },
    orderBy: { finishedAt: "desc" },
    take: 500,
    select: { id: true, lockout: true, connectionId: true, connection: { select: { name: true } } },
  });
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.connectionId) ? false : (seen.add(r.connectionId), true)) && r.lockout);
}

/**
 * The rows report jobs write and read besides the report's history (reports.repository.ts): snapshots,
 * coverage samples, the workspaces schedules are made for.
 */
import { Prisma, type PrismaClient } from "@parapet/db";

/** Whether the workspace still exists (a job for a deleted one does nothing). */
export function findWorkspaceId(prisma: PrismaClient, id: string) {
  return prisma.workspace.findUnique({ where: { id }, select: { id: true } });
}

/** Every workspace with its report settings (null without a settings row). */
export function workspaceSchedules(prisma: PrismaClient) {
  return prisma.workspace.findMany({ select: { id: true, settings: { select: { timezone: true, reportDay: true, reportHour: true } } } });
}

/** The workspace's snapshot for the week starting at `periodStart`, or null. */
export function snapshotForPeriod(prisma: PrismaClient, workspaceId: string, periodStart: Date) {
  return prisma.reportSnapshot.findUnique({ where: { workspaceId_periodStart: { workspaceId, periodStart } } });
}

export function snapshotForPeriodOrThrow(prisma: PrismaClient, workspaceId: string, periodStart: Date) {
  return prisma.reportSnapshot.findUniqueOrThrow({ where: { workspaceId_periodStart: { workspaceId, periodStart } } });
}

/** Inserts the week's snapshot; null when a concurrent builder inserted it first (unique key). */
export async function insertSnapshot(
  prisma: PrismaClient,
  data: { workspaceId: string; periodStart: Date; periodEnd: Date; model: unknown },
) {
  try {
    return await prisma.reportSnapshot.create({ data: { ...data, model: data.model as Prisma.InputJsonValue } });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return null;
    throw e;
  }
}

export function findSnapshot(prisma: PrismaClient, workspaceId: string, id: string) {
  return prisma.reportSnapshot.findFirst({ where: { id, workspaceId } });
}

/** The workspace's latest snapshots, newest first, with their delivery counts. */
export function listSnapshotRows(prisma: PrismaClient, workspaceId: string, take: number) {
  return prisma.reportSnapshot.findMany({
    where: { workspaceId },
    orderBy: { periodStart: "desc" },
    take,
    select: { id: true, periodStart: true, periodEnd: true, createdAt: true, model: true, _count: { select: { deliveries: true } } },
  });
}

/** What a coverage sample counts, read concurrently: coverage groups, connections' clouds, environments per connection, environments with a gap, environments with rows. */
export function coverageSampleInputs(prisma: PrismaClient, workspaceId: string) {
  return Promise.all([
    prisma.coverageRow.groupBy({
      by: ["connectionId", "guardrailId", "status", "fidelity"],
      where: { workspaceId },
      _count: { _all: true },
    }),
    prisma.connection.findMany({ where: { workspaceId }, select: { id: true, cloud: true } }),
    prisma.node.groupBy({ by: ["connectionId"], where: { workspaceId, isEnvironment: true, state: "active" }, _count: { _all: true } }),
    prisma.coverageRow.findMany({
      where: { workspaceId, status: { notIn: ["enforced", "exempt"] }, node: { isEnvironment: true, state: "active" } },
      select: { nodeId: true, connectionId: true },
      distinct: ["nodeId"],
    }),
    prisma.coverageRow.findMany({
      where: { workspaceId, node: { isEnvironment: true, state: "active" } },
      select: { nodeId: true, connectionId: true },
      distinct: ["nodeId"],
    }),
  ]);
}

/** Replaces the workspace's samples of one day, in one transaction. */
export async function replaceCoverageSamples(
  prisma: PrismaClient,
  workspaceId: string,
  day: Date,
  data: Array<{ workspaceId: string; day: Date; cloud: "aws" | "azure" | "gcp" | "oci"; guardrailId: string; counts: unknown }>,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.coverageSample.deleteMany({ where: { workspaceId, day } });
    if (data.length) await tx.coverageSample.createMany({ data: data.map((d) => ({ ...d, counts: d.counts as Prisma.InputJsonValue })) });
  });
}

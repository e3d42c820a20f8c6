import type { Prisma, PrismaClient } from "@parapet/db";
import { exemptionsBearingOn } from "../exemptions/exemptions.repository.ts";

/** What the desired state is computed from, read concurrently: active nodes, active guardrails (all versions), active unexpired exemptions. */
export function desiredInputs(prisma: PrismaClient, workspaceId: string, connectionId: string, cloud: "aws" | "azure" | "gcp" | "oci") {
  return Promise.all([
    prisma.node.findMany({
      where: { connectionId, state: "active" },
      select: { id: true, externalId: true, parentId: true, kind: true, name: true, isEnvironment: true, effectiveLabels: true },
    }),
    prisma.guardrail.findMany({ where: { workspaceId, status: "active" }, include: { versions: true } }),
    // Environment exemptions of this connection's nodes, and principal exemptions of its cloud.
    exemptionsBearingOn(prisma, { workspaceId }, connectionId, cloud),
  ]);
}

/** The connection's artifact records (as the apply journal left them). */
export function artifactRecords(prisma: PrismaClient, connectionId: string) {
  return prisma.artifact.findMany({ where: { connectionId } });
}

export function upsertArtifact(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  name: string,
  data: Omit<Prisma.ArtifactUncheckedCreateInput, "workspaceId" | "connectionId" | "name">,
) {
  return prisma.artifact.upsert({
    where: { connectionId_name: { connectionId, name } },
    create: { workspaceId, connectionId, name, ...data },
    update: data,
  });
}

/** Drops the connection's artifact records whose name is not in `keep`. */
export function dropArtifactsExcept(prisma: PrismaClient, connectionId: string, keep: string[]) {
  return prisma.artifact.deleteMany({ where: { connectionId, name: { notIn: keep } } });
}

export function artifactIds(prisma: PrismaClient, connectionId: string) {
  return prisma.artifact.findMany({ where: { connectionId }, select: { id: true, name: true } });
}

/** Open drift findings of the connection that the planner owns (not uncovered environments or held labels). */
export function openPlannerFindings(prisma: PrismaClient, connectionId: string) {
  return prisma.driftFinding.findMany({
    where: { connectionId, status: "open", kind: { notIn: ["uncovered_environment", "label_held"] } },
  });
}

/** Open "uncovered environment" findings of the connection. */
export function openUncoveredFindings(prisma: PrismaClient, connectionId: string) {
  return prisma.driftFinding.findMany({
    where: { connectionId, status: "open", kind: "uncovered_environment" },
    select: { id: true, nodeId: true },
  });
}

export function updateFinding(prisma: PrismaClient, id: string, data: Prisma.DriftFindingUncheckedUpdateInput) {
  return prisma.driftFinding.update({ where: { id }, data });
}

export function insertFinding(prisma: PrismaClient, data: Prisma.DriftFindingUncheckedCreateInput) {
  return prisma.driftFinding.create({ data });
}

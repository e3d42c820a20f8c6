/** The only file of the posture domain that calls Prisma. */
import type { Prisma, Tx } from "@parapet/db";
import type { DbClient as PrismaClient } from "../common/actor.ts";

export function findConnectionForPosture(prisma: PrismaClient, workspaceId: string, connectionId: string) {
  return prisma.connection.findFirst({
    where: { id: connectionId, workspaceId, status: { not: "disabled" } },
    select: { id: true, name: true, cloud: true, credentialCiphertext: true },
  });
}

export function pendingScan(prisma: PrismaClient, connectionId: string) {
  return prisma.postureScan.findFirst({ where: { connectionId, status: { in: ["queued", "running"] } }, select: { id: true } });
}

export function createScan(prisma: PrismaClient, data: Prisma.PostureScanUncheckedCreateInput) {
  return prisma.postureScan.create({ data, select: { id: true, connectionId: true, status: true, createdAt: true } });
}

export function loadScan(prisma: PrismaClient, scanId: string) {
  return prisma.postureScan.findUnique({ where: { id: scanId }, include: { connection: true } });
}

export function claimScan(prisma: PrismaClient, scanId: string) {
  return prisma.postureScan.updateMany({ where: { id: scanId, status: "queued" }, data: { status: "running" } });
}

export function failScan(prisma: PrismaClient, scanId: string, error: string) {
  return prisma.postureScan.update({
    where: { id: scanId },
    data: { status: "failed", error: error.slice(0, 2000), finishedAt: new Date() },
  });
}

export function postureNodes(prisma: PrismaClient, connectionId: string) {
  return prisma.node.findMany({
    where: { connectionId, state: "active" },
    select: { id: true, externalId: true, parentId: true, name: true, kind: true, isEnvironment: true },
  });
}

export function foreignPoliciesOf(prisma: PrismaClient, connectionId: string) {
  return prisma.foreignPolicy.findMany({ where: { connectionId }, orderBy: [{ kind: "asc" }, { name: "asc" }] });
}

/**
 * Stores what one scan read: upserts every policy seen (drift on a watched one is stamped by the
 * caller's `driftDetectedAt`), marks the ones no longer found as gone, replaces the connection's
 * posture results, and closes the scan — one transaction, so readers never see half a posture.
 */
export async function storeScan(
  prisma: PrismaClient,
  input: {
    scanId: string;
    workspaceId: string;
    connectionId: string;
    policies: Array<Omit<Prisma.ForeignPolicyUncheckedCreateInput, "workspaceId" | "connectionId"> & { driftDetectedAt?: Date | null }>;
    results: Prisma.PostureResultCreateManyInput[];
    scan: Pick<Prisma.PostureScanUpdateInput, "calls" | "durationMs" | "policies" | "unreadable" | "slots" | "lockouts">;
  },
) {
  const now = new Date();
  await prisma.$transaction(
    async (tx) => {
      for (const p of input.policies) {
        const { driftDetectedAt, ...data } = p;
        await tx.foreignPolicy.upsert({
          where: { connectionId_externalId: { connectionId: input.connectionId, externalId: p.externalId } },
          create: { ...data, workspaceId: input.workspaceId, connectionId: input.connectionId, lastSeenAt: now },
          update: {
            kind: data.kind,
            name: data.name,
            attachments: data.attachments,
            body: data.body,
            size: data.size,
            managedBy: data.managedBy ?? null,
            bodyHash: data.bodyHash,
            lastSeenAt: now,
            goneAt: null,
            ...(driftDetectedAt !== undefined ? { driftDetectedAt } : {}),
          },
        });
      }
      await tx.foreignPolicy.updateMany({
        where: { connectionId: input.connectionId, externalId: { notIn: input.policies.map((p) => p.externalId) }, goneAt: null },
        data: { goneAt: now },
      });
      await tx.postureResult.deleteMany({ where: { connectionId: input.connectionId } });
      // 200 rows a statement: Prisma keeps the arguments of recent calls (see ARCHITECTURE "Memory").
      for (let i = 0; i < input.results.length; i += 200) await tx.postureResult.createMany({ data: input.results.slice(i, i + 200) });
      await tx.postureScan.update({ where: { id: input.scanId }, data: { ...input.scan, status: "done", finishedAt: now } });
    },
    // 13 controls × 10,000 environments is 130,000 rows: minutes on a loaded machine, not seconds.
    { timeout: 600_000, maxWait: 30_000 },
  );
}

export function latestScan(prisma: PrismaClient, connectionId: string) {
  return prisma.postureScan.findFirst({ where: { connectionId }, orderBy: { createdAt: "desc" } });
}

export function postureResultsOf(prisma: PrismaClient, connectionId: string) {
  return prisma.postureResult.findMany({
    where: { connectionId },
    select: {
      nodeId: true,
      controlId: true,
      status: true,
      enforcedBy: true,
      failing: true,
      node: { select: { name: true, externalId: true } },
    },
    orderBy: [{ controlId: "asc" }, { nodeId: "asc" }],
  });
}

export function postureResultsOfNode(prisma: PrismaClient, workspaceId: string, nodeId: string) {
  return prisma.postureResult.findMany({
    where: { nodeId, node: { workspaceId } },
    select: { controlId: true, status: true, enforcedBy: true, failing: true },
    orderBy: { controlId: "asc" },
  });
}

export function findForeignPolicy(prisma: PrismaClient | Tx, workspaceId: string, id: string) {
  return prisma.foreignPolicy.findFirst({ where: { id, workspaceId } });
}

export function setStance(prisma: PrismaClient, id: string, data: Prisma.ForeignPolicyUpdateInput) {
  return prisma.foreignPolicy.update({ where: { id }, data });
}

export function findNodeInWorkspace(prisma: PrismaClient, workspaceId: string, nodeId: string) {
  return prisma.node.findFirst({ where: { id: nodeId, workspaceId }, select: { id: true } });
}

/** For the weekly report: each connection's newest finished scan, its watched policies that drifted, and the workspace's results. */
export async function weeklyPostureRows(prisma: PrismaClient, workspaceId: string) {
  const [scans, drifted, results] = await Promise.all([
    prisma.postureScan.findMany({
      where: { workspaceId, status: "done" },
      orderBy: { createdAt: "desc" },
      distinct: ["connectionId"],
      select: { connectionId: true, finishedAt: true, policies: true, lockouts: true, connection: { select: { name: true, cloud: true } } },
    }),
    prisma.foreignPolicy.findMany({
      where: { workspaceId, stance: "watched", driftDetectedAt: { not: null } },
      select: { connectionId: true, name: true },
    }),
    prisma.postureResult.groupBy({ by: ["controlId", "status"], where: { connection: { workspaceId } }, _count: { _all: true } }),
  ]);
  return { scans, drifted, results };
}

/** For the guardrail preview: one control's results at the given environments, and each connection's newest scan's lockouts. */
export async function postureForPreview(prisma: PrismaClient, workspaceId: string, controlId: string, nodeIds: string[]) {
  const [results, scans] = await Promise.all([
    prisma.postureResult.findMany({
      where: { controlId, nodeId: { in: nodeIds }, connection: { workspaceId } },
      select: { status: true, enforcedBy: true, failing: true },
    }),
    prisma.postureScan.findMany({
      where: { workspaceId, status: "done" },
      orderBy: { createdAt: "desc" },
      distinct: ["connectionId"],
      select: { connectionId: true, lockouts: true },
    }),
  ]);
  return { results, scans };
}

/** Adoption: the nodes a foreign policy is attached to (names for the plan, paths for the checks). */
export function nodesByExternal(prisma: PrismaClient, connectionId: string, externalIds: string[]) {
  return prisma.node.findMany({
    where: { connectionId, externalId: { in: externalIds } },
    select: { id: true, externalId: true, name: true, kind: true, path: true, state: true },
  });
}

/** Whether the last scan credits this policy with this control anywhere (enforced or partial). */
export function creditedFor(prisma: PrismaClient, connectionId: string, controlId: string, policyName: string) {
  return prisma.postureResult.count({
    where: { connectionId, controlId, status: { in: ["enforced", "partial"] }, enforcedBy: { has: policyName } },
  });
}

/** The controls the last scan credits this policy with (what detaching it takes away from the proof). */
export async function controlsCredited(prisma: PrismaClient, connectionId: string, policyName: string) {
  const rows = await prisma.postureResult.findMany({
    where: { connectionId, status: { in: ["enforced", "partial"] }, enforcedBy: { has: policyName } },
    distinct: ["controlId"],
    select: { controlId: true },
  });
  return rows.map((r) => r.controlId).sort();
}

const LIVE_ADOPTION = ["pending", "approved", "detaching", "rolling-back"];

export function liveAdoptionOf(prisma: PrismaClient | Tx, foreignPolicyId: string) {
  return prisma.postureAdoption.findFirst({ where: { foreignPolicyId, state: { in: LIVE_ADOPTION } } });
}

export function createAdoption(tx: Tx, data: Prisma.PostureAdoptionUncheckedCreateInput) {
  return tx.postureAdoption.create({ data });
}

export function adoptionOfApproval(db: PrismaClient | Tx, approvalId: string) {
  return db.postureAdoption.findUnique({ where: { approvalId } });
}

export function setAdoption(db: PrismaClient | Tx, id: string, data: Prisma.PostureAdoptionUpdateInput) {
  return db.postureAdoption.update({ where: { id }, data });
}

/** Adoptions the connection's reconcile has to carry on with (approved, mid-way, or rolling back). */
export function adoptionsToRun(prisma: PrismaClient, connectionId: string) {
  return prisma.postureAdoption.findMany({
    where: { connectionId, state: { in: ["approved", "detaching", "rolling-back"] } },
    orderBy: { createdAt: "asc" },
  });
}

/** The newest adoption of each of the connection's foreign policies (the posture view shows it). */
export function adoptionsOf(prisma: PrismaClient, connectionId: string) {
  return prisma.postureAdoption.findMany({
    where: { connectionId },
    orderBy: { createdAt: "desc" },
    distinct: ["foreignPolicyId"],
  });
}

/** Adoption finished: the policy is Parapet's job now; its attachments are what is left of it. */
export function markAdopted(db: PrismaClient | Tx, foreignPolicyId: string, attachments: string[]) {
  return db.foreignPolicy.update({
    where: { id: foreignPolicyId },
    data: { stance: "adopted", attachments, watchedHash: null, driftDetectedAt: null },
  });
}

export function guardrailForAdoption(prisma: PrismaClient | Tx, workspaceId: string, id: string) {
  return prisma.guardrail.findFirst({
    where: { id, workspaceId },
    select: {
      id: true,
      name: true,
      controlId: true,
      status: true,
      currentVersion: true,
      versions: { orderBy: { version: "desc" }, take: 1, select: { mode: true, version: true } },
    },
  });
}

export function rejectAdoption(tx: Tx, approvalId: string) {
  return tx.postureAdoption.updateMany({ where: { approvalId, state: "pending" }, data: { state: "rejected", finishedAt: new Date() } });
}

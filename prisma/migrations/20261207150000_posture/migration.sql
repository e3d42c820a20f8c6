-- Brownfield posture (issue 19): scans of the customer's own preventive policies, the policies read,
-- and each control judged against them per environment.
-- CreateTable
CREATE TABLE "posture_scan" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "requestedById" TEXT,
    "error" TEXT,
    "calls" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "policies" INTEGER NOT NULL DEFAULT 0,
    "unreadable" JSONB NOT NULL DEFAULT '[]',
    "slots" JSONB NOT NULL DEFAULT '[]',
    "lockouts" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "posture_scan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "foreign_policy" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "attachments" TEXT[],
    "body" JSONB NOT NULL,
    "size" INTEGER NOT NULL,
    "managedBy" TEXT,
    "bodyHash" TEXT NOT NULL,
    "stance" TEXT NOT NULL DEFAULT 'unset',
    "watchedHash" TEXT,
    "driftDetectedAt" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "goneAt" TIMESTAMP(3),

    CONSTRAINT "foreign_policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "posture_result" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "controlId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "enforcedBy" TEXT[],
    "failing" JSONB NOT NULL DEFAULT '[]',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "posture_result_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "posture_scan_connectionId_createdAt_idx" ON "posture_scan"("connectionId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "foreign_policy_connectionId_externalId_key" ON "foreign_policy"("connectionId", "externalId");

-- CreateIndex
CREATE INDEX "posture_result_connectionId_controlId_idx" ON "posture_result"("connectionId", "controlId");

-- CreateIndex
CREATE UNIQUE INDEX "posture_result_nodeId_controlId_key" ON "posture_result"("nodeId", "controlId");

-- AddForeignKey
ALTER TABLE "posture_scan" ADD CONSTRAINT "posture_scan_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "foreign_policy" ADD CONSTRAINT "foreign_policy_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "posture_result" ADD CONSTRAINT "posture_result_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "posture_result" ADD CONSTRAINT "posture_result_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

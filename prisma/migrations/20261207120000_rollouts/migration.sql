-- Staged rollouts (issue 16): a guardrail's change to enforce, deployed canary → waves → everywhere.
-- CreateEnum
CREATE TYPE "RolloutStatus" AS ENUM ('running', 'held', 'halted', 'completed', 'rolled-back');

-- CreateTable
CREATE TABLE "rollout" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "baseVersion" INTEGER NOT NULL,
    "targetVersion" INTEGER NOT NULL,
    "stages" JSONB NOT NULL,
    "status" "RolloutStatus" NOT NULL DEFAULT 'running',
    "currentStage" INTEGER NOT NULL DEFAULT 0,
    "stageStartedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "driftThreshold" INTEGER NOT NULL DEFAULT 3,
    "haltReason" TEXT,
    "haltPrincipals" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "acceptedPrincipals" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "startedById" TEXT,
    "startedByLabel" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "rollout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rollout_guardrailId_createdAt_idx" ON "rollout"("guardrailId", "createdAt");

-- CreateIndex
CREATE INDEX "rollout_workspaceId_updatedAt_idx" ON "rollout"("workspaceId", "updatedAt");

-- CreateIndex
CREATE INDEX "rollout_status_idx" ON "rollout"("status");

-- One active rollout per guardrail: two starts racing each other cannot both commit (the second gets a
-- unique violation, answered 409). Prisma cannot express a partial index, so it lives only here.
CREATE UNIQUE INDEX "rollout_one_active_per_guardrail" ON "rollout"("guardrailId") WHERE "status" IN ('running', 'held', 'halted');

-- AddForeignKey
ALTER TABLE "rollout" ADD CONSTRAINT "rollout_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout" ADD CONSTRAINT "rollout_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

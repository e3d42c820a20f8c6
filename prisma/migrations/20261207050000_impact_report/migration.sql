-- Impact replays (issue 16): one row per guardrail version x connection x window; events are never stored.
-- CreateEnum
CREATE TYPE "ImpactStatus" AS ENUM ('queued', 'running', 'done', 'failed');

-- CreateTable
CREATE TABLE "impact_report" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "guardrailVersion" INTEGER NOT NULL,
    "connectionId" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowEnd" TIMESTAMP(3) NOT NULL,
    "status" "ImpactStatus" NOT NULL DEFAULT 'queued',
    "requestedById" TEXT,
    "summary" JSONB,
    "lockout" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "impact_report_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "impact_report_guardrailId_createdAt_idx" ON "impact_report"("guardrailId", "createdAt");

-- CreateIndex
CREATE INDEX "impact_report_workspaceId_createdAt_idx" ON "impact_report"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "impact_report_connectionId_idx" ON "impact_report"("connectionId");

-- AddForeignKey
ALTER TABLE "impact_report" ADD CONSTRAINT "impact_report_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "impact_report" ADD CONSTRAINT "impact_report_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "impact_report" ADD CONSTRAINT "impact_report_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

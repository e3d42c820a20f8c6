-- CreateTable
CREATE TABLE "denial" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "cloud" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "time" TIMESTAMP(3) NOT NULL,
    "principal" TEXT NOT NULL,
    "principalName" TEXT,
    "action" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "nodeId" TEXT,
    "environment" TEXT,
    "parapet" BOOLEAN NOT NULL,
    "guardrailId" TEXT,
    "guardrailName" TEXT,
    "statement" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "denial_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "denial_cursor" (
    "connectionId" TEXT NOT NULL,
    "readUntil" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "denial_cursor_pkey" PRIMARY KEY ("connectionId")
);

-- CreateIndex
CREATE INDEX "denial_workspaceId_time_idx" ON "denial"("workspaceId", "time");

-- CreateIndex
CREATE INDEX "denial_guardrailId_time_idx" ON "denial"("guardrailId", "time");

-- CreateIndex
CREATE UNIQUE INDEX "denial_connectionId_eventId_key" ON "denial"("connectionId", "eventId");

-- AddForeignKey
ALTER TABLE "denial" ADD CONSTRAINT "denial_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

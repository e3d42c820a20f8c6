
-- CreateTable
CREATE TABLE "notification_channel" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secretSealed" TEXT,
    "secretHint" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "health" TEXT NOT NULL DEFAULT 'ok',
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "failingSince" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_channel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_rule" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "eventTypes" TEXT[],
    "connectionIds" TEXT[],
    "guardrailIds" TEXT[],
    "labels" JSONB NOT NULL DEFAULT '{}',
    "minSeverity" TEXT NOT NULL DEFAULT 'info',
    "digestWindowSec" INTEGER NOT NULL DEFAULT 60,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_event" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "connectionId" TEXT,
    "guardrailId" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "title" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "dedupKey" TEXT,
    "resolves" BOOLEAN NOT NULL DEFAULT false,
    "replyChannelId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "routedAt" TIMESTAMP(3),

    CONSTRAINT "notification_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'event',
    "eventType" TEXT NOT NULL,
    "digestKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'collecting',
    "eventCount" INTEGER NOT NULL DEFAULT 0,
    "eventIds" TEXT[],
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "claimedUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_channel_workspaceId_name_key" ON "notification_channel"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "notification_rule_workspaceId_idx" ON "notification_rule"("workspaceId");

-- CreateIndex
CREATE INDEX "notification_rule_channelId_idx" ON "notification_rule"("channelId");

-- CreateIndex
CREATE INDEX "notification_event_routedAt_createdAt_idx" ON "notification_event"("routedAt", "createdAt");

-- CreateIndex
CREATE INDEX "notification_event_workspaceId_createdAt_idx" ON "notification_event"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "notification_delivery_status_notBefore_idx" ON "notification_delivery"("status", "notBefore");

-- CreateIndex
CREATE INDEX "notification_delivery_channelId_createdAt_idx" ON "notification_delivery"("channelId", "createdAt");

-- CreateIndex
CREATE INDEX "notification_delivery_channelId_digestKey_status_idx" ON "notification_delivery"("channelId", "digestKey", "status");

-- AddForeignKey
ALTER TABLE "notification_channel" ADD CONSTRAINT "notification_channel_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_rule" ADD CONSTRAINT "notification_rule_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "notification_channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_event" ADD CONSTRAINT "notification_event_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "notification_channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One collecting (digest window open) delivery per channel and digest key: concurrent routers meet on
-- it with ON CONFLICT instead of opening two messages for one storm.
CREATE UNIQUE INDEX "notification_delivery_collecting_key" ON "notification_delivery"("channelId", "digestKey") WHERE status = 'collecting';

-- CreateTable
CREATE TABLE "notification_settings" (
    "workspaceId" TEXT NOT NULL,
    "expiryWarnDays" INTEGER[] DEFAULT ARRAY[15, 1]::INTEGER[],
    "coverageThreshold" DOUBLE PRECISION,
    "coverageAlertOpen" BOOLEAN NOT NULL DEFAULT false,
    "exemptionMaxDays" INTEGER NOT NULL DEFAULT 30,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_settings_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateIndex
CREATE INDEX "notification_event_dedupKey_idx" ON "notification_event"("dedupKey");

-- AddForeignKey
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateEnum
CREATE TYPE "Cloud" AS ENUM ('aws', 'azure', 'gcp', 'oci');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('draft', 'verifying', 'active', 'error', 'disabled');

-- CreateEnum
CREATE TYPE "DriftKind" AS ENUM ('missing', 'modified', 'detached', 'weakened', 'unexpected_attachment', 'uncovered_environment');

-- CreateEnum
CREATE TYPE "DriftStatus" AS ENUM ('open', 'resolved');

-- CreateEnum
CREATE TYPE "CoverageStatus" AS ENUM ('enforced', 'audit', 'exempt', 'drifted', 'unsupported', 'unknown', 'pending');

-- CreateEnum
CREATE TYPE "ExemptionStatus" AS ENUM ('pending_approval', 'active', 'expired', 'revoked', 'rejected');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'approved', 'rejected', 'cancelled');

-- CreateEnum
CREATE TYPE "GuardrailMode" AS ENUM ('audit', 'enforce');

-- CreateEnum
CREATE TYPE "Remediation" AS ENUM ('auto', 'notify');

-- CreateEnum
CREATE TYPE "GuardrailStatus" AS ENUM ('active', 'disabled', 'deleted');

-- CreateTable
CREATE TABLE "user" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailVerified" BOOLEAN NOT NULL DEFAULT false,
    "image" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "token" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "ipAddress" TEXT,
    "userAgent" TEXT,
    "userId" TEXT NOT NULL,
    "activeOrganizationId" TEXT,

    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_account" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accessToken" TEXT,
    "refreshToken" TEXT,
    "idToken" TEXT,
    "accessTokenExpiresAt" TIMESTAMP(3),
    "refreshTokenExpiresAt" TIMESTAMP(3),
    "scope" TEXT,
    "password" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification" (
    "id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "verification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workspace" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "logo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "metadata" TEXT,

    CONSTRAINT "workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitation" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "inviterId" TEXT NOT NULL,

    CONSTRAINT "invitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "apikey" (
    "id" TEXT NOT NULL,
    "configId" TEXT NOT NULL DEFAULT 'default',
    "name" TEXT,
    "start" TEXT,
    "referenceId" TEXT NOT NULL,
    "prefix" TEXT,
    "key" TEXT NOT NULL,
    "refillInterval" INTEGER,
    "refillAmount" INTEGER,
    "lastRefillAt" TIMESTAMP(3),
    "enabled" BOOLEAN DEFAULT true,
    "rateLimitEnabled" BOOLEAN DEFAULT true,
    "rateLimitTimeWindow" INTEGER DEFAULT 86400000,
    "rateLimitMax" INTEGER DEFAULT 10,
    "requestCount" INTEGER DEFAULT 0,
    "remaining" INTEGER,
    "lastRequest" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "permissions" TEXT,
    "metadata" TEXT,

    CONSTRAINT "apikey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workspace_settings" (
    "workspaceId" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "reportDay" INTEGER NOT NULL DEFAULT 1,
    "reportHour" INTEGER NOT NULL DEFAULT 8,
    "twoPersonRule" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workspace_settings_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "connection" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "cloud" "Cloud" NOT NULL,
    "name" TEXT NOT NULL,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'draft',
    "rootId" TEXT,
    "endpoint" TEXT,
    "credentialCiphertext" TEXT,
    "credentialKeyId" TEXT,
    "credentialHints" JSONB NOT NULL DEFAULT '{}',
    "eventSecretCiphertext" TEXT,
    "principals" JSONB NOT NULL DEFAULT '{}',
    "limits" JSONB NOT NULL DEFAULT '{}',
    "pollIntervalSec" INTEGER NOT NULL DEFAULT 300,
    "wizardState" JSONB NOT NULL DEFAULT '{}',
    "lastVerifiedAt" TIMESTAMP(3),
    "verifyResult" JSONB,
    "lastDiscoveredAt" TIMESTAMP(3),
    "lastReconciledAt" TIMESTAMP(3),
    "lastReconcileStatus" TEXT,
    "lastError" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "connection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parentId" TEXT,
    "path" TEXT NOT NULL,
    "depth" INTEGER NOT NULL,
    "isEnvironment" BOOLEAN NOT NULL DEFAULT false,
    "cloudLabels" JSONB NOT NULL DEFAULT '{}',
    "labelOverrides" JSONB NOT NULL DEFAULT '{}',
    "effectiveLabels" JSONB NOT NULL DEFAULT '{}',
    "state" TEXT NOT NULL DEFAULT 'active',
    "discoveredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_receipt" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_receipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drift_finding" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "guardrailId" TEXT,
    "nodeId" TEXT,
    "artifactId" TEXT,
    "kind" "DriftKind" NOT NULL,
    "status" "DriftStatus" NOT NULL DEFAULT 'open',
    "fingerprint" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "expected" JSONB,
    "observed" JSONB,
    "actor" TEXT,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),
    "resolution" TEXT,
    "resolvedBy" TEXT,

    CONSTRAINT "drift_finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "coverage_row" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "status" "CoverageStatus" NOT NULL,
    "fidelity" TEXT NOT NULL,
    "detail" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "coverage_row_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "coverage_sample" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "cloud" "Cloud" NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "counts" JSONB NOT NULL,

    CONSTRAINT "coverage_sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exemption" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "ownerEmail" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "status" "ExemptionStatus" NOT NULL DEFAULT 'pending_approval',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "exemption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "summary" TEXT NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "requestedById" TEXT NOT NULL,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "guardrail" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "controlId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "GuardrailStatus" NOT NULL DEFAULT 'active',
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "guardrail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "guardrail_version" (
    "id" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "scope" JSONB NOT NULL,
    "mode" "GuardrailMode" NOT NULL DEFAULT 'audit',
    "remediation" "Remediation" NOT NULL DEFAULT 'auto',
    "note" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "guardrail_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifact" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "externalId" TEXT,
    "contentHash" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "guardrailIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "state" TEXT NOT NULL DEFAULT 'desired',
    "lastAppliedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "artifact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconcile_run" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "plan" JSONB,
    "readCalls" INTEGER NOT NULL DEFAULT 0,
    "writeCalls" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "driftOpened" INTEGER NOT NULL DEFAULT 0,
    "driftResolved" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "reconcile_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "apply_intent" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "runId" TEXT,
    "seq" INTEGER NOT NULL,
    "changeKey" TEXT NOT NULL,
    "change" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "result" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "apply_intent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report_subscription" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT,
    "email" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "unsubscribedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report_snapshot" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "model" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_delivery" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT,
    "snapshotId" TEXT,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "email_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "user_email_key" ON "user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "session_token_key" ON "session"("token");

-- CreateIndex
CREATE INDEX "session_userId_idx" ON "session"("userId");

-- CreateIndex
CREATE INDEX "auth_account_userId_idx" ON "auth_account"("userId");

-- CreateIndex
CREATE INDEX "verification_identifier_idx" ON "verification"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "workspace_slug_key" ON "workspace"("slug");

-- CreateIndex
CREATE INDEX "member_userId_idx" ON "member"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "member_organizationId_userId_key" ON "member"("organizationId", "userId");

-- CreateIndex
CREATE INDEX "invitation_organizationId_idx" ON "invitation"("organizationId");

-- CreateIndex
CREATE INDEX "invitation_email_idx" ON "invitation"("email");

-- CreateIndex
CREATE INDEX "invitation_inviterId_idx" ON "invitation"("inviterId");

-- CreateIndex
CREATE INDEX "apikey_configId_idx" ON "apikey"("configId");

-- CreateIndex
CREATE INDEX "apikey_referenceId_idx" ON "apikey"("referenceId");

-- CreateIndex
CREATE INDEX "apikey_key_idx" ON "apikey"("key");

-- CreateIndex
CREATE INDEX "connection_workspaceId_cloud_idx" ON "connection"("workspaceId", "cloud");

-- CreateIndex
CREATE INDEX "connection_status_idx" ON "connection"("status");

-- CreateIndex
CREATE INDEX "node_workspaceId_isEnvironment_idx" ON "node"("workspaceId", "isEnvironment");

-- CreateIndex
CREATE INDEX "node_connectionId_path_idx" ON "node"("connectionId", "path");

-- CreateIndex
CREATE INDEX "node_parentId_idx" ON "node"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "node_connectionId_externalId_key" ON "node"("connectionId", "externalId");

-- CreateIndex
CREATE INDEX "event_receipt_receivedAt_idx" ON "event_receipt"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "event_receipt_connectionId_eventId_key" ON "event_receipt"("connectionId", "eventId");

-- CreateIndex
CREATE INDEX "drift_finding_workspaceId_status_openedAt_idx" ON "drift_finding"("workspaceId", "status", "openedAt");

-- CreateIndex
CREATE INDEX "drift_finding_connectionId_status_idx" ON "drift_finding"("connectionId", "status");

-- CreateIndex
CREATE INDEX "drift_finding_connectionId_fingerprint_status_idx" ON "drift_finding"("connectionId", "fingerprint", "status");

-- CreateIndex
CREATE INDEX "drift_finding_guardrailId_idx" ON "drift_finding"("guardrailId");

-- CreateIndex
CREATE INDEX "drift_finding_nodeId_idx" ON "drift_finding"("nodeId");

-- CreateIndex
CREATE INDEX "drift_finding_artifactId_idx" ON "drift_finding"("artifactId");

-- CreateIndex
CREATE INDEX "coverage_row_workspaceId_status_idx" ON "coverage_row"("workspaceId", "status");

-- CreateIndex
CREATE INDEX "coverage_row_workspaceId_guardrailId_status_idx" ON "coverage_row"("workspaceId", "guardrailId", "status");

-- CreateIndex
CREATE INDEX "coverage_row_connectionId_idx" ON "coverage_row"("connectionId");

-- CreateIndex
CREATE INDEX "coverage_row_guardrailId_idx" ON "coverage_row"("guardrailId");

-- CreateIndex
CREATE UNIQUE INDEX "coverage_row_nodeId_guardrailId_key" ON "coverage_row"("nodeId", "guardrailId");

-- CreateIndex
CREATE INDEX "coverage_sample_workspaceId_day_idx" ON "coverage_sample"("workspaceId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "coverage_sample_workspaceId_day_cloud_guardrailId_key" ON "coverage_sample"("workspaceId", "day", "cloud", "guardrailId");

-- CreateIndex
CREATE INDEX "exemption_workspaceId_status_idx" ON "exemption"("workspaceId", "status");

-- CreateIndex
CREATE INDEX "exemption_guardrailId_idx" ON "exemption"("guardrailId");

-- CreateIndex
CREATE INDEX "exemption_nodeId_idx" ON "exemption"("nodeId");

-- CreateIndex
CREATE INDEX "exemption_expiresAt_idx" ON "exemption"("expiresAt");

-- CreateIndex
CREATE INDEX "approval_workspaceId_status_createdAt_idx" ON "approval"("workspaceId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "approval_subjectType_subjectId_idx" ON "approval"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "audit_event_workspaceId_createdAt_idx" ON "audit_event"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "audit_event_workspaceId_action_idx" ON "audit_event"("workspaceId", "action");

-- CreateIndex
CREATE INDEX "audit_event_workspaceId_targetType_targetId_idx" ON "audit_event"("workspaceId", "targetType", "targetId");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_workspaceId_seq_key" ON "audit_event"("workspaceId", "seq");

-- CreateIndex
CREATE INDEX "guardrail_workspaceId_status_idx" ON "guardrail"("workspaceId", "status");

-- CreateIndex
CREATE INDEX "guardrail_workspaceId_controlId_idx" ON "guardrail"("workspaceId", "controlId");

-- CreateIndex
CREATE UNIQUE INDEX "guardrail_version_guardrailId_version_key" ON "guardrail_version"("guardrailId", "version");

-- CreateIndex
CREATE INDEX "artifact_workspaceId_idx" ON "artifact"("workspaceId");

-- CreateIndex
CREATE INDEX "artifact_connectionId_externalId_idx" ON "artifact"("connectionId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "artifact_connectionId_name_key" ON "artifact"("connectionId", "name");

-- CreateIndex
CREATE INDEX "reconcile_run_connectionId_startedAt_idx" ON "reconcile_run"("connectionId", "startedAt");

-- CreateIndex
CREATE INDEX "reconcile_run_workspaceId_startedAt_idx" ON "reconcile_run"("workspaceId", "startedAt");

-- CreateIndex
CREATE INDEX "apply_intent_connectionId_status_idx" ON "apply_intent"("connectionId", "status");

-- CreateIndex
CREATE INDEX "apply_intent_runId_idx" ON "apply_intent"("runId");

-- CreateIndex
CREATE INDEX "report_subscription_userId_idx" ON "report_subscription"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "report_subscription_workspaceId_email_key" ON "report_subscription"("workspaceId", "email");

-- CreateIndex
CREATE INDEX "report_snapshot_workspaceId_createdAt_idx" ON "report_snapshot"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "report_snapshot_workspaceId_periodStart_key" ON "report_snapshot"("workspaceId", "periodStart");

-- CreateIndex
CREATE INDEX "email_delivery_subscriptionId_idx" ON "email_delivery"("subscriptionId");

-- CreateIndex
CREATE INDEX "email_delivery_snapshotId_idx" ON "email_delivery"("snapshotId");

-- CreateIndex
CREATE INDEX "email_delivery_status_idx" ON "email_delivery"("status");

-- AddForeignKey
ALTER TABLE "session" ADD CONSTRAINT "session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_account" ADD CONSTRAINT "auth_account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_inviterId_fkey" FOREIGN KEY ("inviterId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspace_settings" ADD CONSTRAINT "workspace_settings_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connection" ADD CONSTRAINT "connection_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node" ADD CONSTRAINT "node_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node" ADD CONSTRAINT "node_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node" ADD CONSTRAINT "node_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "node"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_receipt" ADD CONSTRAINT "event_receipt_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_finding" ADD CONSTRAINT "drift_finding_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_finding" ADD CONSTRAINT "drift_finding_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_finding" ADD CONSTRAINT "drift_finding_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_finding" ADD CONSTRAINT "drift_finding_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "node"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drift_finding" ADD CONSTRAINT "drift_finding_artifactId_fkey" FOREIGN KEY ("artifactId") REFERENCES "artifact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coverage_row" ADD CONSTRAINT "coverage_row_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coverage_row" ADD CONSTRAINT "coverage_row_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coverage_row" ADD CONSTRAINT "coverage_row_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coverage_row" ADD CONSTRAINT "coverage_row_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coverage_sample" ADD CONSTRAINT "coverage_sample_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exemption" ADD CONSTRAINT "exemption_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exemption" ADD CONSTRAINT "exemption_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exemption" ADD CONSTRAINT "exemption_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_event" ADD CONSTRAINT "audit_event_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "guardrail" ADD CONSTRAINT "guardrail_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "guardrail_version" ADD CONSTRAINT "guardrail_version_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact" ADD CONSTRAINT "artifact_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact" ADD CONSTRAINT "artifact_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reconcile_run" ADD CONSTRAINT "reconcile_run_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reconcile_run" ADD CONSTRAINT "reconcile_run_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apply_intent" ADD CONSTRAINT "apply_intent_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "apply_intent" ADD CONSTRAINT "apply_intent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "reconcile_run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "report_subscription" ADD CONSTRAINT "report_subscription_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "report_snapshot" ADD CONSTRAINT "report_snapshot_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_delivery" ADD CONSTRAINT "email_delivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "report_subscription"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_delivery" ADD CONSTRAINT "email_delivery_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "report_snapshot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Adoption (issue 19): replacing a customer's policy with a guardrail's own artifact after a second member
-- approved it; the row is also the journal of the targets the customer's policy was detached from.
CREATE TABLE "posture_adoption" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "foreignPolicyId" TEXT NOT NULL,
    "approvalId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "controlId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "policyExternalId" TEXT NOT NULL,
    "policyName" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "targets" TEXT[],
    "state" TEXT NOT NULL DEFAULT 'pending',
    "detached" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "inFlight" TEXT,
    "leftAttached" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "error" TEXT,
    "requestedById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "posture_adoption_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "posture_adoption_approvalId_key" ON "posture_adoption"("approvalId");
CREATE INDEX "posture_adoption_connectionId_state_idx" ON "posture_adoption"("connectionId", "state");
CREATE INDEX "posture_adoption_foreignPolicyId_idx" ON "posture_adoption"("foreignPolicyId");

ALTER TABLE "posture_adoption" ADD CONSTRAINT "posture_adoption_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

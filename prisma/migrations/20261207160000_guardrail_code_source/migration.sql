-- CreateTable
CREATE TABLE "guardrail_code_source" (
    "guardrailId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "repo" TEXT NOT NULL DEFAULT '',
    "commit" TEXT NOT NULL DEFAULT '',
    "appliedHash" TEXT NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedBy" TEXT NOT NULL,

    CONSTRAINT "guardrail_code_source_pkey" PRIMARY KEY ("guardrailId")
);

-- CreateIndex
CREATE UNIQUE INDEX "guardrail_code_source_workspaceId_key_key" ON "guardrail_code_source"("workspaceId", "key");

-- AddForeignKey
ALTER TABLE "guardrail_code_source" ADD CONSTRAINT "guardrail_code_source_guardrailId_fkey" FOREIGN KEY ("guardrailId") REFERENCES "guardrail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Principal exemptions (issue 16): an exemption spares either an environment subtree (nodeId) or one
-- principal of one cloud across the guardrail's scope (principalCloud + principal), never both or neither.
ALTER TABLE "exemption" ALTER COLUMN "nodeId" DROP NOT NULL;
ALTER TABLE "exemption" ADD COLUMN "principalCloud" "Cloud";
ALTER TABLE "exemption" ADD COLUMN "principal" TEXT;
ALTER TABLE "exemption" ADD CONSTRAINT "exemption_node_xor_principal" CHECK (
  ("nodeId" IS NOT NULL AND "principal" IS NULL AND "principalCloud" IS NULL)
  OR ("nodeId" IS NULL AND "principal" IS NOT NULL AND "principalCloud" IS NOT NULL)
);
CREATE INDEX "exemption_guardrailId_principalCloud_idx" ON "exemption"("guardrailId", "principalCloud");

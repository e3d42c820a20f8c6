-- The overview's aggregate (cells per connection × guardrail × status) answered from the index alone.
CREATE INDEX "coverage_row_workspaceId_connectionId_guardrailId_status_idx" ON "coverage_row"("workspaceId", "connectionId", "guardrailId", "status");

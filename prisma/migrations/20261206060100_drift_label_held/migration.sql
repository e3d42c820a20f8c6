-- Cloud tag changes that would take an environment out of a guardrail are held, with a finding
-- (packages/core/src/connections/held-labels.ts).
ALTER TYPE "DriftKind" ADD VALUE 'label_held';

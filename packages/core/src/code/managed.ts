import type { PrismaClient } from "@parapet/db";
import { AppError } from "../common/errors.ts";
import { codeSourceOf } from "./code.repository.ts";

/**
 * A guardrail applied from code is read-only outside `parapet apply` (issue 20): its edits, deletion,
 * re-enabling and rollouts belong in the repository, or the next apply would undo them. Exemptions and
 * the emergency disable (an approval request, audited) stay open, and so do a rollout's hold and
 * roll-back. Called by each of those routes' handlers; the apply use-case calls the use-cases directly.
 */
export async function refuseManaged(prisma: PrismaClient, workspaceId: string, guardrailId: string): Promise<void> {
  const s = await codeSourceOf(prisma, workspaceId, guardrailId);
  if (!s) return;
  const where = `${s.repo || "code"}${s.commit ? `@${s.commit.slice(0, 12)}` : ""}`;
  throw new AppError(
    "conflict",
    `guardrail: managed in code (${where}, key "${s.key}"); change it in the repository and run parapet apply. Exemptions and emergency disable remain available here`,
  );
}

import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { cancelIfPending, countFailedSignIn, spentInvitations, transaction } from "./members.repository.ts";

/**
 * A failed sign-in of an address counts against every pending invitation to it; at `limit` the
 * invitation is revoked (status "canceled", as when an admin withdraws it) and the workspace's audit
 * log says why. Whoever guesses the invited account's password gains nothing from the invitation
 * once the guessing starts; the admin can invite again.
 */
export async function recordFailedSignIn(prisma: PrismaClient, email: string, limit: number): Promise<string[]> {
  const address = email.trim().toLowerCase();
  return transaction(prisma, async (tx) => {
    await countFailedSignIn(tx, address);
    const spent = await spentInvitations(tx, address, limit);
    for (const inv of spent) {
      const claimed = await cancelIfPending(tx, inv.id);
      if (claimed.count !== 1) continue;
      await appendAudit(tx, {
        workspaceId: inv.organizationId,
        actorType: "system",
        actorLabel: "Parapet",
        action: "member.invitation_revoked",
        targetType: "invitation",
        targetId: inv.id,
        data: { email: inv.email, reason: "failed sign-ins", failedSignIns: inv.failedSignIns },
      });
    }
    return spent.map((i) => i.id);
  });
}

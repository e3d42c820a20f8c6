import { checkInvitationRate, inviteMember } from "@parapet/core/members/invite-member";
import { env } from "@/env";
import { redis } from "@/server/clients";
import { enqueueInvitationEmail } from "@parapet/core/members/invitation-email";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { invitationLinkConfig } from "@/server/invitations";
import { queues } from "@/server/queues";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /invitations"), async ({ caller, body: input }) => {
  await checkInvitationRate(redis(), env().PARAPET_REDIS_PREFIX, caller);
  const inv = await inviteMember(deps(), caller, input, invitationLinkConfig());
  // The invitation stands even when Redis is down: the inviter has the link and can send it themselves.
  // (BullMQ waits for Redis to come back rather than failing, hence the bound.)
  const emailQueued = await Promise.race([
    enqueueInvitationEmail(queues().notifications, inv.id).then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000).unref()),
  ]);
  return { ...inv, emailQueued };
});

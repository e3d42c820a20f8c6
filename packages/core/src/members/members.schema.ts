import { z } from "zod";
import { ROLES } from "../identity/roles.ts";
import { ZPersonName } from "../identity/names.ts";

export const ZRole = z.enum(ROLES);
export const ZInviteInput = z.object({ email: z.email().max(320), role: ZRole }).strict();
export const ZChangeRoleInput = z.object({ role: ZRole }).strict();

/**
 * Accepting an invitation: the signed token from the link; a name and a password only to create a new
 * account (an existing account signs in first and sends the token alone).
 */
const ZInvitationToken = z.string({ error: "token is required" }).min(1, "token is required").max(200, "token must be at most 200 characters");
export const ZInvitationLookupQuery = z.object({ token: ZInvitationToken }).strict();
export const ZAcceptInvitationInput = z
  .object({
    token: ZInvitationToken,
    password: z.string().min(10, "password must be at least 10 characters").max(128, "password must be at most 128 characters").optional(),
    name: ZPersonName.optional(),
  })
  .strict();
export type TAcceptInvitationInput = z.infer<typeof ZAcceptInvitationInput>;

/** Switching the signed-in session to another workspace the user belongs to. */
export const ZSwitchWorkspaceInput = z.object({ workspaceId: z.string({ error: "workspaceId is required" }).min(1, "workspaceId is required").max(64, "workspaceId must be at most 64 characters") }).strict();

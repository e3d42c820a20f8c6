import { z } from "zod";
import { ROLES } from "../identity/roles.ts";
import { ZPersonName } from "../identity/names.ts";
import { wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";

export const ZRole = z.enum(ROLES);
export const ZInviteInput = z.object({ email: z.email().max(320), role: ZRole }).strict();
export const ZChangeRoleInput = z.object({ role: ZRole }).strict();

/**
 * Accepting an invitation: the signed token from the link; a name and a password only to create a new
 * account (an existing account signs in first and sends the token alone).
 */
const ZInvitationToken = z
  .string({ error: "token is required" })
  .min(1, "token is required")
  .max(200, "token must be at most 200 characters");
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
export const ZSwitchWorkspaceInput = z
  .object({
    workspaceId: z
      .string({ error: "workspaceId is required" })
      .min(1, "workspaceId is required")
      .max(64, "workspaceId must be at most 64 characters"),
  })
  .strict();

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** A role as stored by the auth library (a string column) and checked against Parapet's roles on the way out. */
const ZStoredRole = wireEnum(ROLES);
const ZUserRef = z.object({ id: z.string(), name: z.string(), email: z.string() });

/** The caller: who, which workspace (and the others they belong to), their role and what it allows. */
export const ZMe = z.object({
  user: ZUserRef,
  workspace: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
  role: ZRole,
  /** "token" for an API key, "user" for a signed-in session. */
  via: z.enum(["token", "user"]),
  /** `resource:action` pairs the role grants. */
  permissions: z.array(z.string()),
  workspaces: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string(), role: ZStoredRole })),
});

export const ZMember = z.object({ id: z.string(), user: ZUserRef, role: ZStoredRole });
/** A pending invitation; the link itself is a credential and is only in the answer to creating it. */
const ZInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: ZStoredRole.nullable(),
  status: z.string(),
  expiresAt: ZIsoDateTime,
});
export const ZMemberList = z.object({
  items: z.array(ZMember),
  /** Only for those who manage members (admins, owners). */
  invitations: z.array(ZInvitation.extend({ invitedBy: z.string() })).optional(),
});
export const ZMemberRemoved = z.object({ id: z.string(), removed: z.boolean() });
export const ZInvitationCreated = ZInvitation.extend({
  /** The inviter's copy of the link (shown once). */
  inviteUrl: z.string().optional(),
  /** Whether the worker was asked to e-mail the link (it still needs SMTP configured to send it). */
  emailQueued: z.boolean(),
});
export const ZInvitationWithdrawn = z.object({ id: z.string(), status: z.string() });
/** What an invitation link offers, for the page that accepts it. */
export const ZInvitationLookup = z.object({
  email: z.string(),
  role: ZStoredRole,
  workspaceName: z.string(),
  invitedBy: z.string(),
  expiresAt: ZIsoDateTime,
  mailboxProven: z.boolean(),
});
export const ZInvitationAccepted = z.object({ email: z.string(), role: ZStoredRole });

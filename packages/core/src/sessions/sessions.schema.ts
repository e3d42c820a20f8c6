import { z } from "zod";
import { ZIsoDateTime } from "../common/wire.schema.ts";

const ZSessionView = z.object({
  id: z.string(),
  createdAt: ZIsoDateTime,
  /** The session's last request (recorded at most once a minute; the idle timeout's clock). */
  lastUsedAt: ZIsoDateTime,
  expiresAt: ZIsoDateTime,
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** The session this request was made with. */
  current: z.boolean(),
});
export const ZSessionList = z.object({ items: z.array(ZSessionView) });
export const ZSessionEnded = z.object({ id: z.string(), ended: z.literal(true) });
export const ZMemberSessionsEnded = z.object({ memberId: z.string(), ended: z.number().int() });

/** The caller's second factor: enrolled or not, required by a workspace of theirs, and whether they sign in with a password. */
export const ZMfaStatus = z.object({
  enabled: z.boolean(),
  required: z.boolean(),
  passwordUser: z.boolean(),
});
/** A member's second factor was reset at once (below owner); an owner's waits for a second owner (202 with the approval). */
export const ZMfaReset = z.object({ memberId: z.string(), reset: z.literal(true), sessionsEnded: z.number().int() });

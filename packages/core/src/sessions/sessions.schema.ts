import { z } from "zod";
import { ZIsoDateTime } from "../common/wire.schema.ts";

const ZSessionView = z.object({
  id: z.string(),
  createdAt: ZIsoDateTime,
  /** When the session was last refreshed by a request (better-auth updates it at most once a day). */
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

import { z } from "zod";
import { ZRole } from "../members/members.schema.ts";

export const ZCreateTokenInput = z
  .object({ name: z.string().trim().min(1).max(100), role: ZRole, expiresInDays: z.number().int().min(1).max(365).optional() })
  .strict();
export type TCreateTokenInput = z.infer<typeof ZCreateTokenInput>;

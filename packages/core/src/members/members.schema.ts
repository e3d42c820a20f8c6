import { z } from "zod";
import { ROLES } from "../identity/roles.ts";

export const ZRole = z.enum(ROLES);
export const ZInviteInput = z.object({ email: z.email().max(320), role: ZRole }).strict();
export const ZChangeRoleInput = z.object({ role: ZRole }).strict();

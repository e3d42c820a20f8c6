import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { findSettings } from "./settings.repository.ts";

export async function getSettings(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const s = await findSettings(deps.prisma, actor.workspaceId);
  return {
    timezone: s?.timezone ?? "UTC",
    reportDay: s?.reportDay ?? 1,
    reportHour: s?.reportHour ?? 8,
    twoPersonRule: s?.twoPersonRule ?? true,
    requireMfa: s?.requireMfa ?? false,
    sessionLifetimeHours: s?.sessionLifetimeHours ?? null,
    idleTimeoutMinutes: s?.idleTimeoutMinutes ?? null,
  };
}

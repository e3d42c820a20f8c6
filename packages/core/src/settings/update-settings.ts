import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import type { TUpdateSettingsInput } from "./settings.schema.ts";
import { transaction, upsertSettings } from "./settings.repository.ts";

export async function updateSettings(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, input: TUpdateSettingsInput) {
  const s = await transaction(deps.prisma, async (tx) => {
    const s = await upsertSettings(tx, actor.workspaceId, input);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "settings.updated",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { ...input },
    });
    return s;
  });
  return {
    timezone: s.timezone,
    reportDay: s.reportDay,
    reportHour: s.reportHour,
    twoPersonRule: s.twoPersonRule,
    requireMfa: s.requireMfa,
    sessionLifetimeHours: s.sessionLifetimeHours,
    idleTimeoutMinutes: s.idleTimeoutMinutes,
  };
}

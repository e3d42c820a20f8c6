import { agentNoDestructiveActions } from "./controls/agent-no-destructive-actions.ts";
import { auditLoggingLocked } from "./controls/audit-logging-locked.ts";
import { backupsUndeletable } from "./controls/backups-undeletable.ts";
import { denyLeaveOrganization } from "./controls/deny-leave-organization.ts";
import { denyRootUser } from "./controls/deny-root-user.ts";
import { mcpServersReadOnly } from "./controls/mcp-servers-read-only.ts";
import { noPublicData } from "./controls/no-public-data.ts";
import { noWildcardAdmin } from "./controls/no-wildcard-admin.ts";
import { nonprodNoProdSecrets } from "./controls/nonprod-no-prod-secrets.ts";
import { protectGuardrailLabels } from "./controls/protect-guardrail-labels.ts";
import { regulatedDataPerimeter } from "./controls/regulated-data-perimeter.ts";
import { requireEncryption } from "./controls/require-encryption.ts";
import { restrictRegions } from "./controls/restrict-regions.ts";
import type { TControl } from "./types.ts";

const CONTROLS: readonly TControl[] = [
  agentNoDestructiveActions,
  backupsUndeletable,
  auditLoggingLocked,
  noPublicData,
  regulatedDataPerimeter,
  nonprodNoProdSecrets,
  noWildcardAdmin,
  restrictRegions,
  requireEncryption,
  protectGuardrailLabels,
  mcpServersReadOnly,
  denyLeaveOrganization,
  denyRootUser,
];

const BY_ID = new Map(CONTROLS.map((c) => [c.id, c]));

/** Every control of the built-in catalog, in the order of CONTROLS.md. */
export function listControls(): readonly TControl[] {
  return CONTROLS;
}

export function getControl(id: string): TControl | undefined {
  return BY_ID.get(id);
}

export const CONTROL_IDS: readonly string[] = CONTROLS.map((c) => c.id);

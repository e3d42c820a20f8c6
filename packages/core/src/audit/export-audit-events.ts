import type { Actor, UseCaseDeps } from "../common/actor.ts";
import type { TAuditExportQuery } from "./audit-query.schema.ts";
import { auditChunk } from "./audit-query.repository.ts";
import { auditView } from "./audit-view.ts";

const CSV_COLUMNS = [
  "seq",
  "at",
  "actorType",
  "actorId",
  "actorLabel",
  "action",
  "targetType",
  "targetId",
  "data",
  "hash",
  "prevHash",
] as const;

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  // Spreadsheet formula injection: a cell starting with = + - @ is prefixed so it stays text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The filtered audit log oldest-first as CSV or JSON lines, produced in pages (never all in memory). */
export async function* exportAuditEvents(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, q: TAuditExportQuery): AsyncGenerator<string> {
  const { format, ...filter } = q;
  if (format === "csv") yield `${CSV_COLUMNS.join(",")}\n`;
  let after = 0;
  for (;;) {
    const rows = await auditChunk(deps.prisma, actor.workspaceId, filter, after, 1000);
    if (rows.length === 0) return;
    let chunk = "";
    for (const r of rows) {
      if (format === "jsonl") chunk += `${JSON.stringify(auditView(r))}\n`;
      else {
        const v = {
          seq: r.seq,
          at: r.createdAt.toISOString(),
          actorType: r.actorType,
          actorId: r.actorId,
          actorLabel: r.actorLabel,
          action: r.action,
          targetType: r.targetType,
          targetId: r.targetId,
          data: r.data,
          hash: r.hash,
          prevHash: r.prevHash,
        };
        chunk += `${CSV_COLUMNS.map((c) => csvCell(v[c])).join(",")}\n`;
      }
    }
    yield chunk;
    after = rows[rows.length - 1]!.seq;
  }
}

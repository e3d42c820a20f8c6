import { exportAuditEvents } from "@parapet/core/audit/export-audit-events";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
/** Streamed page by page, so an export of a long history never sits in memory. */
export const GET = route(api("GET /audit/export"), async ({ caller, query: q }) => {
  const chunks = exportAuditEvents(deps(), caller, q);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const csv = q.format === "csv";
  return new Response(body, {
    headers: {
      "content-type": csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="parapet-audit.${csv ? "csv" : "jsonl"}"`,
      "cache-control": "no-store",
    },
  });
});

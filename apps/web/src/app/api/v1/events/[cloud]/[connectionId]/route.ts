import { AppError, openEventSecret, parseCloudEvent, verifyEventSignature } from "@parapet/core";
import { bindLogFields } from "@parapet/core/common/logger";
import { findEventConnection, forgetEventReceipt, noteHierarchyChange, recordEventReceipt } from "@parapet/core/events/receive-event";
import { errorResponse } from "@/server/api";
import { prisma } from "@/server/clients";
import { keyring } from "@/server/keys";
import { requestDenialPoll, requestReconcile } from "@/server/queues";
import { requestIdOf, withRequestId } from "@/server/request-id";
import { withRequestLog } from "@/server/request-log";

export const dynamic = "force-dynamic";

const CLOUDS = ["aws", "azure", "gcp", "oci"] as const;
const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Cloud audit events (EventBridge, Event Grid, Pub/Sub push, OCI Events) for one connection.
 * Authenticated by the connection's HMAC secret with a replay window; each event id is accepted
 * once; an accepted event triggers a reconcile of that connection at once, after noting the nodes it
 * names for targeted discovery, and a read of its audit log for refused calls (denial attribution).
 */
export const POST = withRequestLog(
  async (req: Request, ctx: { params: Promise<{ cloud: string; connectionId: string }> }): Promise<Response> => {
    const requestId = requestIdOf(req);
    return withRequestId(await receive(req, ctx, requestId), requestId);
  },
);

async function receive(
  req: Request,
  ctx: { params: Promise<{ cloud: string; connectionId: string }> },
  requestId: string,
): Promise<Response> {
  try {
    const { cloud, connectionId } = await ctx.params;
    if (!(CLOUDS as readonly string[]).includes(cloud))
      throw new AppError("not_found", `cloud "${cloud.slice(0, 20)}" is not one of aws, azure, gcp, oci`);
    if (!/^[a-z0-9]{1,64}$/i.test(connectionId)) throw new AppError("not_found", "connection not found");
    bindLogFields({ connectionId });
    const raw = await req.text();
    if (raw.length > MAX_EVENT_BYTES) throw new AppError("bad_request", `body: larger than ${MAX_EVENT_BYTES} bytes`);
    const conn = await findEventConnection(prisma(), connectionId);
    // Same answer for unknown, wrong-cloud and secret-less connections: nothing to probe.
    if (!conn || conn.cloud !== cloud || !conn.eventSecretCiphertext) throw new AppError("not_found", "connection not found");
    verifyEventSignature(
      openEventSecret(keyring(), conn.id, conn.eventSecretCiphertext),
      raw,
      req.headers.get("x-parapet-timestamp"),
      req.headers.get("x-parapet-signature"),
    );
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new AppError("bad_request", "body: is not valid JSON");
    }
    const event = parseCloudEvent(conn.cloud, body);
    if ((await recordEventReceipt(prisma(), conn.id, event.eventId)) === "duplicate") {
      return Response.json({ accepted: false, duplicate: true }, { status: 200 });
    }
    if (conn.status === "active" || conn.status === "error") {
      try {
        // Nodes the event names are read by the reconcile's targeted discovery; only a change the event
        // cannot narrow to nodes asks for a full discovery.
        await noteHierarchyChange(prisma(), conn.id, event.eventId, event.hierarchy);
        await requestReconcile({
          connectionId: conn.id,
          trigger: "event",
          discover: event.hierarchy.kind === "sweep",
          reason: event.summary,
        });
        // The event path for denials: a refused call is read and attributed now, not at the next minute's poll.
        await requestDenialPoll(conn.id);
      } catch {
        // Not queued: forget the receipt so the cloud's retry of this event is not taken for a duplicate.
        await forgetEventReceipt(prisma(), conn.id, event.eventId);
        throw new AppError("unavailable", "the event could not be queued; retry later");
      }
    }
    return Response.json({ accepted: true, eventId: event.eventId }, { status: 202 });
  } catch (e) {
    return errorResponse(e, requestId);
  }
}

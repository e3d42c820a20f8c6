/**
 * Inbound cloud events (EventBridge, Event Grid, Cloud Audit Logs via Pub/Sub push, OCI Events):
 * authenticate (HMAC per connection + replay window), then reduce each to what the reconciler needs:
 * an id for de-duplication, a line for the audit trail, and whether the hierarchy changed.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { AppError } from "../common/errors.ts";

const REPLAY_WINDOW_SEC = 300;

export interface ParsedEvent {
  eventId: string;
  summary: string;
  hierarchyChanged: boolean;
}

/** Checks `x-parapet-signature: sha256=<hex HMAC of "<timestamp>.<body>">` and the timestamp's age. */
export function verifyEventSignature(
  secret: string,
  rawBody: string,
  timestamp: string | null,
  signature: string | null,
  nowSec = Math.floor(Date.now() / 1000),
): void {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    throw new AppError("unauthenticated", "x-parapet-timestamp header is missing or not a number");
  if (Math.abs(nowSec - Number(timestamp)) > REPLAY_WINDOW_SEC)
    throw new AppError("unauthenticated", `x-parapet-timestamp is outside the ${REPLAY_WINDOW_SEC}s replay window`);
  const m = /^sha256=([0-9a-f]{64})$/.exec(signature ?? "");
  if (!m) throw new AppError("unauthenticated", "x-parapet-signature header is missing or malformed");
  const want = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest();
  if (!timingSafeEqual(want, Buffer.from(m[1]!, "hex"))) throw new AppError("unauthenticated", "x-parapet-signature does not match");
}

const S = (max = 500) => z.string().max(max);

const ZAwsEvent = z.object({
  id: S(200),
  source: S(200),
  "detail-type": S(200).optional(),
  detail: z
    .object({
      eventName: S(200).optional(),
      userIdentity: z
        .object({ arn: S(2048).optional() })
        .passthrough()
        .optional(),
    })
    .passthrough()
    .optional(),
});
const ZAzureEvents = z
  .array(
    z.object({
      id: S(200),
      eventType: S(200),
      subject: S(2048).optional(),
      data: z
        .object({ operationName: S(500).optional(), claims: z.record(z.string(), z.unknown()).optional() })
        .passthrough()
        .optional(),
    }),
  )
  .min(1)
  .max(100);
const ZGcpPush = z.object({
  message: z.object({ data: z.string().max(1_000_000), messageId: S(200).optional(), message_id: S(200).optional() }),
  subscription: S(500).optional(),
});
const ZGcpLogEntry = z.object({
  insertId: S(200).optional(),
  protoPayload: z
    .object({
      methodName: S(500).optional(),
      resourceName: S(2048).optional(),
      authenticationInfo: z
        .object({ principalEmail: S(500).optional() })
        .passthrough()
        .optional(),
    })
    .passthrough(),
});
const ZOciEvent = z.object({
  eventID: S(200),
  eventType: S(300),
  data: z
    .object({ resourceName: S(500).optional(), resourceId: S(500).optional() })
    .passthrough()
    .optional(),
});

const HIERARCHY_AWS =
  /^(CreateAccount|MoveAccount|CreateOrganizationalUnit|DeleteOrganizationalUnit|UpdateOrganizationalUnit|RemoveAccountFromOrganization|TagResource|UntagResource|InviteAccountToOrganization|AcceptHandshake|CloseAccount)$/;

function invalid(cloud: string, err: z.ZodError): AppError {
  const i = err.issues[0];
  const field = i?.path.join(".") || "body";
  return new AppError("validation", `${cloud} event: ${field}: ${i?.message ?? "invalid"}`, [{ field, message: i?.message ?? "invalid" }]);
}

export function parseCloudEvent(cloud: "aws" | "azure" | "gcp" | "oci", body: unknown): ParsedEvent {
  switch (cloud) {
    case "aws": {
      const r = ZAwsEvent.safeParse(body);
      if (!r.success) throw invalid("aws", r.error);
      const name = r.data.detail?.eventName ?? r.data["detail-type"] ?? "event";
      return {
        eventId: r.data.id,
        // Bounded like the other clouds' summaries: it becomes the reconcile job's `reason` (at most 500).
        summary: `${r.data.source} ${name}${r.data.detail?.userIdentity?.arn ? ` by ${r.data.detail.userIdentity.arn}` : ""}`.slice(0, 500),
        hierarchyChanged: HIERARCHY_AWS.test(name),
      };
    }
    case "azure": {
      const r = ZAzureEvents.safeParse(body);
      if (!r.success) throw invalid("azure", r.error);
      const first = r.data[0]!;
      const ops = r.data.map((e) => e.data?.operationName ?? e.eventType);
      return {
        eventId: r.data
          .map((e) => e.id)
          .sort()
          .join(",")
          .slice(0, 200),
        summary: `${first.eventType} ${ops.join(", ")}`.slice(0, 500),
        hierarchyChanged: ops.some((o) => /managementGroups|subscriptions\/(write|move)|tags\/write/i.test(o) && !/policy/i.test(o)),
      };
    }
    case "gcp": {
      const r = ZGcpPush.safeParse(body);
      if (!r.success) throw invalid("gcp", r.error);
      let entry: z.infer<typeof ZGcpLogEntry>;
      try {
        const parsed = ZGcpLogEntry.safeParse(JSON.parse(Buffer.from(r.data.message.data, "base64").toString("utf8")));
        if (!parsed.success) throw invalid("gcp", parsed.error);
        entry = parsed.data;
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw new AppError("validation", "gcp event: message.data: is not base64-encoded JSON", [
          { field: "message.data", message: "is not base64-encoded JSON" },
        ]);
      }
      const method = entry.protoPayload.methodName ?? "event";
      const id = r.data.message.messageId ?? r.data.message.message_id ?? entry.insertId;
      if (!id)
        throw new AppError("validation", "gcp event: message.messageId: is required", [
          { field: "message.messageId", message: "is required" },
        ]);
      return {
        eventId: id,
        summary:
          `${method}${entry.protoPayload.resourceName ? ` on ${entry.protoPayload.resourceName}` : ""}${entry.protoPayload.authenticationInfo?.principalEmail ? ` by ${entry.protoPayload.authenticationInfo.principalEmail}` : ""}`.slice(
            0,
            500,
          ),
        hierarchyChanged: /resourcemanager\.v\d+\.(Projects|Folders)\.(Create|Move|Delete|Update)/.test(method),
      };
    }
    case "oci": {
      const r = ZOciEvent.safeParse(body);
      if (!r.success) throw invalid("oci", r.error);
      return {
        eventId: r.data.eventID,
        summary: `${r.data.eventType}${r.data.data?.resourceName ? ` ${r.data.data.resourceName}` : ""}`.slice(0, 500),
        hierarchyChanged: /compartment/.test(r.data.eventType),
      };
    }
  }
}

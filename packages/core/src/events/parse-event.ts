/**
 * Inbound cloud events (EventBridge, Event Grid, Cloud Audit Logs via Pub/Sub push, OCI Events):
 * authenticate (HMAC per connection + replay window), then reduce each to what the reconciler needs:
 * an id for de-duplication, a line for the audit trail, and whether the hierarchy changed.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { MANAGEMENT_GROUP_ID, SUBSCRIPTION_ID } from "@parapet/providers/azure/types";
import { AppError } from "../common/errors.ts";

const REPLAY_WINDOW_SEC = 300;

/**
 * What an event says about the hierarchy. `nodes`: these node ids changed (created, moved, renamed,
 * closed, retagged, deleted) — the next reconcile reads just them from the cloud (never trusting the
 * event's own copy, so replays, duplicates and reordering converge to the cloud's current state).
 * `sweep`: the hierarchy changed in a way the event does not narrow to nodes — a full discovery.
 */
export type HierarchyHint = { kind: "none" } | { kind: "nodes"; externalIds: string[] } | { kind: "sweep" };

export interface ParsedEvent {
  eventId: string;
  summary: string;
  hierarchyChanged: boolean;
  hierarchy: HierarchyHint;
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

/** Ids of an Organizations event's parameters; anything else in them is read as unknown and never trusted. */
const ZAwsIds = z.record(z.string(), z.unknown()).nullish();
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
      requestParameters: ZAwsIds,
      responseElements: ZAwsIds,
      serviceEventDetails: ZAwsIds,
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
        .object({
          operationName: S(500).optional(),
          resourceUri: S(2048).optional(),
          claims: z.record(z.string(), z.unknown()).optional(),
        })
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

const AWS_NODE_ID = /^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const str = (o: unknown, ...path: string[]): string | undefined => {
  let cur: unknown = o;
  for (const k of path) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined;
  return typeof cur === "string" ? cur : undefined;
};

/**
 * Which Organizations nodes an EventBridge event names. The envelope is EventBridge's for events
 * "delivered via AWS CloudTrail" (source `aws.organizations`, detail-type "AWS API Call via CloudTrail",
 * `detail.eventName` = the API action; https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-organizations.html),
 * and `detail.requestParameters` / `responseElements` are the action's request and response with
 * lower-camel-case keys (CloudTrail's record format): MoveAccount {accountId, sourceParentId,
 * destinationParentId} (https://docs.aws.amazon.com/organizations/latest/APIReference/API_MoveAccount.html),
 * CloseAccount / RemoveAccountFromOrganization {accountId}, TagResource {resourceId, tags}, UntagResource
 * {resourceId, tagKeys}, CreateOrganizationalUnit → responseElements.organizationalUnit.id,
 * UpdateOrganizationalUnit / DeleteOrganizationalUnit {organizationalUnitId}. CreateAccount is
 * asynchronous: its own record answers IN_PROGRESS without the account id; the id comes in the
 * `CreateAccountResult` service event ("AWS Service Event via CloudTrail",
 * `serviceEventDetails.createAccountStatus.accountId`), which the CreateAccount reference points to
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
 * A known hierarchy action without the id it should carry, and joins that name no account of ours
 * (AcceptHandshake, LeaveOrganization), fall back to a full sweep.
 */
function awsHierarchy(name: string, d: z.infer<typeof ZAwsEvent>["detail"]): HierarchyHint {
  const req = d?.requestParameters;
  const res = d?.responseElements;
  const nodes = (id: string | undefined): HierarchyHint =>
    id && AWS_NODE_ID.test(id) ? { kind: "nodes", externalIds: [id] } : { kind: "sweep" };
  switch (name) {
    case "MoveAccount":
    case "CloseAccount":
    case "RemoveAccountFromOrganization":
      return nodes(str(req, "accountId"));
    case "TagResource":
    case "UntagResource": {
      const id = str(req, "resourceId");
      // Policy tags (p-…) are Parapet's ownership markers, not labels: the reconcile reads them itself.
      return id?.startsWith("p-") ? { kind: "none" } : nodes(id);
    }
    case "CreateOrganizationalUnit":
      return nodes(str(res, "organizationalUnit", "id"));
    case "UpdateOrganizationalUnit":
    case "DeleteOrganizationalUnit":
      return nodes(str(req, "organizationalUnitId"));
    case "CreateAccount": {
      // Finished at once (some emulators): the id is there. In progress: wait for CreateAccountResult.
      const id = str(res, "createAccountStatus", "accountId");
      return id ? nodes(id) : { kind: "none" };
    }
    case "CreateAccountResult": {
      const state = str(d?.serviceEventDetails, "createAccountStatus", "state");
      if (state === "FAILED") return { kind: "none" };
      return nodes(str(d?.serviceEventDetails, "createAccountStatus", "accountId"));
    }
    case "InviteAccountToOrganization":
      // An invited account joins only when it accepts the handshake.
      return { kind: "none" };
    case "AcceptHandshake":
    case "LeaveOrganization":
      return { kind: "sweep" };
    default:
      return { kind: "none" };
  }
}

/**
 * Resource Manager's Admin Activity audit entries name the project or folder they changed in
 * `protoPayload.resourceName` (`projects/…`, `folders/…`) and the action in `methodName`
 * (`google.cloud.resourcemanager.v3.Projects.MoveProject`, `…Folders.UpdateFolder`, …;
 * https://cloud.google.com/resource-manager/docs/audit-logging). Labels are part of UpdateProject.
 */
function gcpHierarchy(method: string, resourceName: string | undefined): HierarchyHint {
  if (!/resourcemanager\.v\d+\.(Projects|Folders)\.(Create|Move|Delete|Undelete|Update)/.test(method)) return { kind: "none" };
  return resourceName && /^(projects\/[a-z0-9-]{1,64}|folders\/\d{1,32})$/.test(resourceName)
    ? { kind: "nodes", externalIds: [resourceName] }
    : { kind: "sweep" };
}

/**
 * OCI Events messages for Identity compartments (`com.oraclecloud.identitycontrolplane.createcompartment`,
 * `.updatecompartment`, `.movecompartment`, `.deletecompartment`, `.recovercompartment`; "Identity and Access
 * Management event types", https://docs.oracle.com/iaas/Content/Events/Reference/eventsproducers.htm) carry the
 * compartment's OCID in `data.resourceId` (CloudEvents 0.1 envelope, eventTypeVersion 2.0). Freeform and
 * defined tags are compartment fields, so a retag arrives as updatecompartment. Another compartment event of
 * Identity, or one without a compartment OCID, is a hierarchy change we cannot narrow: a full sweep.
 */
const OCI_COMPARTMENT_EVENT = /^com\.oraclecloud\.identitycontrolplane\.(create|update|move|delete|recover)compartment$/i;
// ocid1.<type>.<realm>.[region][.future use].<unique> (https://docs.oracle.com/iaas/Content/General/Concepts/identifiers.htm)
const OCI_NODE_ID = /^ocid1\.(compartment|tenancy)\.[a-z0-9-]{1,32}\.[a-z0-9-]{0,64}(\.[a-z0-9-]{1,64})?\.[a-z0-9]{1,200}$/;
function ociHierarchy(eventType: string, resourceId: string | undefined): HierarchyHint {
  if (!/^com\.oraclecloud\.identitycontrolplane\..*compartment/i.test(eventType)) return { kind: "none" };
  return OCI_COMPARTMENT_EVENT.test(eventType) && resourceId && OCI_NODE_ID.test(resourceId)
    ? { kind: "nodes", externalIds: [resourceId] }
    : { kind: "sweep" };
}

/**
 * Which management groups and subscriptions one Azure event names, as Azure discovery records them
 * (`providers/Microsoft.Management/managementGroups/<name>`, `subscriptions/<id>`). Event Grid's ARM events
 * (ResourceWriteSuccess, ResourceDeleteSuccess, ResourceActionSuccess) carry the operation in
 * `data.operationName` and the resource id in `subject` / `data.resourceUri`
 * (https://learn.microsoft.com/azure/event-grid/event-schema-resource-groups): a group's write (create,
 * rename, move) or delete names the group; `managementGroups/subscriptions/write|delete` (a subscription put
 * under a group, or sent back to the root group) is
 * `/providers/Microsoft.Management/managementGroups/<mg>/subscriptions/<id>` and names the subscription;
 * tags written or deleted at `/subscriptions/<id>/providers/Microsoft.Resources/tags/default` are the
 * subscription's labels, while tags of resource groups and resources are no node's labels; Microsoft.Subscription's
 * rename / cancel / enable actions name the subscription. Policy operations are not hierarchy changes;
 * any other management-group operation, or an id that does not parse, asks for a sweep.
 */
function azureHierarchy(operation: string, resourceUri: string | undefined): HierarchyHint {
  if (/policy/i.test(operation)) return { kind: "none" };
  const op = operation.toLowerCase();
  const segs = (resourceUri ?? "").split("/").filter(Boolean);
  const l = segs.map((x) => x.toLowerCase());
  const underMg = l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "managementgroups";
  const sub = (id: string | undefined): HierarchyHint =>
    id && SUBSCRIPTION_ID.test(id) ? { kind: "nodes", externalIds: [`subscriptions/${id}`] } : { kind: "sweep" };
  // The subscription a resource id starts with, when the id is the subscription itself or a child of it.
  const subOf = (): string | undefined => (l[0] === "subscriptions" ? segs[1] : undefined);
  if (op === "microsoft.management/managementgroups/write" || op === "microsoft.management/managementgroups/delete") {
    return underMg && segs.length === 4 && MANAGEMENT_GROUP_ID.test(segs[3]!)
      ? { kind: "nodes", externalIds: [`providers/Microsoft.Management/managementGroups/${segs[3]}`] }
      : { kind: "sweep" };
  }
  if (
    op === "microsoft.management/managementgroups/subscriptions/write" ||
    op === "microsoft.management/managementgroups/subscriptions/delete"
  ) {
    return underMg && segs.length === 6 && l[4] === "subscriptions" ? sub(segs[5]) : { kind: "sweep" };
  }
  if (op === "microsoft.resources/tags/write" || op === "microsoft.resources/tags/delete") {
    // Tags - Create Or Update / Update / Delete At Scope: `{scope}/providers/Microsoft.Resources/tags/default`.
    const subscriptionTags =
      l[0] === "subscriptions" &&
      (segs.length === 2 || (segs.length === 6 && l.slice(2).join("/") === "providers/microsoft.resources/tags/default"));
    if (subscriptionTags) return sub(segs[1]);
    // Tags of a resource group or a resource: labels come from subscription tags only.
    return l[0] === "subscriptions" && segs.length > 6 ? { kind: "none" } : { kind: "sweep" };
  }
  if (/^microsoft\.subscription\/(rename|cancel|enable)\/action$/.test(op)) return sub(subOf());
  if (/^microsoft\.resources\/subscriptions\/(write|delete|move)/.test(op)) return segs.length === 2 ? sub(subOf()) : { kind: "sweep" };
  // Anything else the coarse rule took for a hierarchy change still is one, just not narrowed.
  return /managementgroups|subscriptions\/(write|move)/.test(op) ? { kind: "sweep" } : { kind: "none" };
}

/** One hint for a batch of events: any sweep is a sweep, otherwise every node any of them names. */
function mergeHints(hints: HierarchyHint[]): HierarchyHint {
  if (hints.some((h) => h.kind === "sweep")) return { kind: "sweep" };
  const ids = [...new Set(hints.flatMap((h) => (h.kind === "nodes" ? h.externalIds : [])))];
  return ids.length ? { kind: "nodes", externalIds: ids } : { kind: "none" };
}

function invalid(cloud: string, err: z.ZodError): AppError {
  const i = err.issues[0];
  const field = i?.path.join(".") || "body";
  return new AppError("validation", `${cloud} event: ${field}: ${i?.message ?? "invalid"}`, [{ field, message: i?.message ?? "invalid" }]);
}

const withHint = (hierarchy: HierarchyHint) => ({ hierarchy, hierarchyChanged: hierarchy.kind !== "none" });

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
        ...withHint(r.data.source === "aws.organizations" ? awsHierarchy(name, r.data.detail) : { kind: "none" }),
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
        ...withHint(mergeHints(r.data.map((e) => azureHierarchy(e.data?.operationName ?? e.eventType, e.data?.resourceUri ?? e.subject)))),
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
        ...withHint(gcpHierarchy(method, entry.protoPayload.resourceName)),
      };
    }
    case "oci": {
      const r = ZOciEvent.safeParse(body);
      if (!r.success) throw invalid("oci", r.error);
      return {
        eventId: r.data.eventID,
        summary: `${r.data.eventType}${r.data.data?.resourceName ? ` ${r.data.data.resourceName}` : ""}`.slice(0, 500),
        ...withHint(ociHierarchy(r.data.eventType, r.data.data?.resourceId)),
      };
    }
  }
}

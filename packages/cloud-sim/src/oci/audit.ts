import { invalid, missing } from "./errors.ts";

/**
 * The OCI Audit service as the simulator keeps it: one event per API call it served (and events the
 * admin API appends), listed by ListEvents per compartment and time range.
 *
 * Sources:
 * - Wire model: oci-audit 2.139.1 `AuditEvent` (CloudEvents 0.1 envelope; `data` with identity,
 *   request, response, stateChange, additionalDetails) and "Contents of an Audit Log Event"
 *   (https://docs.oracle.com/iaas/Content/Audit/Reference/logeventreference.htm).
 * - ListEvents (Audit API 20190901, `GET /auditEvents?compartmentId&startTime&endTime&page`;
 *   oci-audit lib/client.js and ListEventsRequest): events of that compartment only (not its
 *   subcompartments), "processed at or after" startTime and "before" endTime, both RFC 3339 with
 *   "granularity to the minute. Seconds (and milliseconds, if included) must be set to 0"; the body is
 *   a bare array and `opc-next-page` continues it.
 * - Retention: Audit keeps events for the tenancy's retention period, 365 days by default
 *   (Audit Configuration.retentionPeriodDays, oci-audit model/configuration.d.ts); older events are gone.
 */

const OCI_AUDIT_RETENTION_DAYS = 365;
const MAX_EVENTS = 200_000;

export interface OciAuditInput {
  eventName: string;
  /** The service as Audit names it in `source` / `eventType` (identity, cloudguard, objectstorage…). */
  service: string;
  compartmentId: string;
  compartmentName?: string;
  principalId: string;
  principalName?: string;
  /** user | instance | resource: the `ptype` claim of `opc-principal`. */
  principalType: string;
  tenancyId: string;
  method: string;
  path: string;
  status: number;
  message?: string;
  region: string;
  resourceId?: string;
  resourceName?: string;
  /** The resource after the call (`stateChange.current`). */
  current?: Record<string, unknown> | null;
  time?: Date;
}

export type OciAuditEventWire = Record<string, unknown> & { eventTime: string; data: Record<string, unknown> & { compartmentId: string } };

export class OciAuditLog {
  private events: OciAuditEventWire[] = [];
  private seq = 0;

  constructor(private readonly rand: () => number) {}

  private uuid(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () =>
        Math.floor(this.rand() * 16)
          .toString(16)
          .toLowerCase(),
      ).join("");
    return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  }

  record(e: OciAuditInput): OciAuditEventWire {
    const time = e.time ?? new Date();
    const requestId = `${this.uuid().replace(/-/g, "").toUpperCase()}/${++this.seq}`;
    const event: OciAuditEventWire = {
      eventType: `com.oraclecloud.${e.service}.${e.eventName.toLowerCase()}`,
      cloudEventsVersion: "0.1",
      eventTypeVersion: "2.0",
      source: e.service,
      eventId: this.uuid(),
      eventTime: time.toISOString(),
      contentType: "application/json",
      data: {
        eventGroupingId: requestId,
        eventName: e.eventName,
        compartmentId: e.compartmentId,
        compartmentName: e.compartmentName ?? null,
        resourceName: e.resourceName ?? null,
        resourceId: e.resourceId ?? null,
        availabilityDomain: null,
        freeformTags: null,
        definedTags: null,
        identity: {
          principalName: e.principalName ?? null,
          principalId: e.principalId,
          authType: "natv",
          callerName: null,
          callerId: null,
          tenantId: e.tenancyId,
          ipAddress: "127.0.0.1",
          credentials: e.principalType === "user" ? `${e.tenancyId}/${e.principalId}` : null,
          userAgent: null,
          consoleSessionId: null,
        },
        request: {
          id: requestId,
          path: e.path,
          action: e.method,
          parameters: {},
          headers: {
            "opc-principal": [
              JSON.stringify({
                tenantId: e.tenancyId,
                subjectId: e.principalId,
                claims: [{ key: "ptype", value: e.principalType, issuer: "authService.oracle.com" }],
              }),
            ],
            "oci-original-url": [`https://${e.service}.${e.region}.oci.oraclecloud.com${e.path}`],
          },
        },
        response: {
          status: String(e.status),
          responseTime: new Date(time.getTime() + 50).toISOString(),
          headers: {},
          payload: {},
          message: e.message ?? null,
        },
        stateChange: { previous: null, current: e.current ?? null },
        additionalDetails: {},
      },
    };
    this.events.push(event);
    // Bounded memory: the oldest events go first, as retention would remove them.
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    return event;
  }

  /**
   * ListEvents' selection: validates the window the way the API documents it and returns the
   * compartment's events in it, oldest first.
   */
  list(q: URLSearchParams, now: Date): OciAuditEventWire[] {
    const compartmentId = q.get("compartmentId");
    if (!compartmentId) throw missing("compartmentId");
    const start = minuteTime(q, "startTime");
    const end = minuteTime(q, "endTime");
    if (end.getTime() <= start.getTime()) throw invalid("Query parameter 'endTime' must be after 'startTime'.");
    const oldest = now.getTime() - OCI_AUDIT_RETENTION_DAYS * 86_400_000;
    return this.events.filter((e) => {
      const t = Date.parse(e.eventTime);
      return e.data.compartmentId === compartmentId && t >= start.getTime() && t < end.getTime() && t >= oldest;
    });
  }

  all(): readonly OciAuditEventWire[] {
    return this.events;
  }
}

function minuteTime(q: URLSearchParams, name: string): Date {
  const raw = q.get(name);
  if (!raw) throw missing(name);
  const d = parseTimestamp(raw);
  if (!d) throw invalid(`Query parameter '${name}' is not an RFC 3339 timestamp: '${raw.slice(0, 64)}'.`);
  if (d.getUTCSeconds() !== 0 || d.getUTCMilliseconds() !== 0) {
    throw invalid(`Query parameter '${name}' must have granularity to the minute: seconds and milliseconds must be 0.`);
  }
  return d;
}

/**
 * RFC 3339 as OCI accepts it, down to minute precision ("YYYY-MM-DDTHH:mmTZD", oci audit event list's
 * documented formats). oci-common writes query dates without zero-padding the time fields
 * (`2026-12-07T4:10:00Z`, helper.js), and the service takes that, so single digits are accepted too.
 */
function parseTimestamp(raw: string): Date | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(raw);
  if (!m) return undefined;
  const [, y, mo, da, h, mi, se, frac, tz] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(se ?? 0), ms);
  if (tz && tz.toUpperCase() !== "Z") {
    const sign = tz.startsWith("-") ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

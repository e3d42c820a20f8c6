import { describe, expect, it } from "vitest";
import { ociPrincipalType, parseOciAuditExport, parseOciAuditRecord } from "./audit-records.ts";
import { ociRegionKey } from "./types.ts";

const PROD = "ocid1.compartment.oc1..aaaaaaaaprod";
const TENANCY = "ocid1.tenancy.oc1..aaaaaaaaexampletenancy";

/** Shaped like the "Contents of an Audit Log Event" example and the oci-audit model. */
function event(overrides: { eventName?: string; principalId?: string; status?: string; ptype?: string; message?: string } = {}) {
  const principalId = overrides.principalId ?? "ocid1.instance.oc1.eu-frankfurt-1.agent1";
  return {
    eventType: `com.oraclecloud.objectstorage.${(overrides.eventName ?? "DeleteBucket").toLowerCase()}`,
    cloudEventsVersion: "0.1",
    eventTypeVersion: "2.0",
    source: "ObjectStorage",
    eventId: "a1b2c3d4-0000-4000-8000-000000000001",
    eventTime: "2026-12-01T10:00:00.000Z",
    contentType: "application/json",
    data: {
      eventGroupingId: "req-1",
      eventName: overrides.eventName ?? "DeleteBucket",
      compartmentId: PROD,
      compartmentName: "prod",
      resourceName: "invoices",
      resourceId: "/n/acme/b/invoices",
      availabilityDomain: "AD1",
      identity: {
        principalName: "agent1",
        principalId,
        authType: "natv",
        callerName: null,
        callerId: null,
        tenantId: TENANCY,
        ipAddress: "10.0.0.5",
        credentials: null,
        userAgent: "Oracle-TypeScriptSDK/2.139.1",
        consoleSessionId: null,
      },
      request: {
        id: "req-1",
        path: "/n/acme/b/invoices",
        action: "DELETE",
        parameters: {},
        headers: {
          "oci-original-url": ["https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/acme/b/invoices"],
          ...(overrides.ptype
            ? {
                "opc-principal": [
                  JSON.stringify({ tenantId: TENANCY, subjectId: principalId, claims: [{ key: "ptype", value: overrides.ptype }] }),
                ],
              }
            : {}),
        },
      },
      response: {
        status: overrides.status ?? "204",
        responseTime: "2026-12-01T10:00:00.120Z",
        headers: {},
        payload: {},
        message: overrides.message ?? "",
      },
      stateChange: { previous: null, current: null },
      additionalDetails: { namespace: "acme", bucketName: "invoices" },
    },
  };
}

/** The same event as `oci audit event list` prints it: kebab-case keys. */
function cliForm(e: ReturnType<typeof event>) {
  const kebab = (o: unknown, keep = false): unknown => {
    if (Array.isArray(o)) return o.map((x) => kebab(x));
    if (!o || typeof o !== "object") return o;
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => {
        const key = keep ? k : k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        // Header, parameter and detail maps are data, printed as logged.
        return [key, kebab(v, ["headers", "parameters", "additionalDetails"].includes(k))];
      }),
    );
  };
  return kebab(e);
}

describe("parseOciAuditRecord", () => {
  it("maps an instance principal deleting a bucket to the permission, compartment, region and principal type", () => {
    const r = parseOciAuditRecord(event());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toMatchObject({
      cloud: "oci",
      id: "a1b2c3d4-0000-4000-8000-000000000001",
      time: "2026-12-01T10:00:00.000Z",
      action: "DeleteBucket",
      resource: "/n/acme/b/invoices",
      nodeExternalId: PROD,
      principal: { id: "ocid1.instance.oc1.eu-frankfurt-1.agent1", type: "instance", name: "agent1", account: TENANCY },
      outcome: "success",
      readOnly: false,
      plane: "management",
      context: {
        "request.operation": "DeleteBucket",
        "request.permission": "BUCKET_DELETE",
        "request.principal.type": "instance",
        "target.compartment.id": PROD,
        "request.region": "FRA",
      },
    });
  });

  it("reads the CLI's kebab-case output the same way", () => {
    const a = parseOciAuditRecord(event());
    const b = parseOciAuditRecord(cliForm(event()));
    expect(b).toEqual(a);
  });

  it("leaves request.permission out for an operation the table does not know (never guessed)", () => {
    const r = parseOciAuditRecord(event({ eventName: "CreateReplicationPolicy" }));
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.context).not.toHaveProperty("request.permission");
    expect(r.event.context["request.operation"]).toBe("CreateReplicationPolicy");
  });

  it("classifies 401/403 and 404 NotAuthorizedOrNotFound as denied, other errors as failed", () => {
    const out = (status: string, message = "") => {
      const r = parseOciAuditRecord(event({ status, message }));
      return r.ok ? r.event.outcome : r.reason;
    };
    expect(out("404", "NotAuthorizedOrNotFound: Authorization failed or requested resource not found")).toBe("denied");
    expect(out("403")).toBe("denied");
    expect(out("404", "BucketNotFound")).toBe("failed");
    expect(out("409")).toBe("failed");
    expect(out("200")).toBe("success");
  });

  it("gives a skip reason for what cannot be normalised", () => {
    expect(parseOciAuditRecord(42)).toEqual({ ok: false, reason: "not-an-object" });
    const noPrincipal = event();
    delete (noPrincipal.data.identity as { principalId?: string }).principalId;
    expect(parseOciAuditRecord(noPrincipal)).toEqual({ ok: false, reason: "no-principal" });
    const noStatus = event();
    delete (noStatus.data.response as { status?: string }).status;
    expect(parseOciAuditRecord(noStatus)).toEqual({ ok: false, reason: "no-response-status" });
  });
});

describe("principal type and region", () => {
  it("prefers the opc-principal ptype claim, then the OCID kind", () => {
    expect(ociPrincipalType("ocid1.user.oc1..u", "natv")).toBe("user");
    expect(ociPrincipalType("ocid1.instance.oc1.iad.i", "natv")).toBe("instance");
    expect(ociPrincipalType("ocid1.fnfunc.oc1.iad.f", "natv")).toBe("resource");
    expect(ociPrincipalType("ocid1.tenancy.oc1..t", undefined)).toBe("unknown");
    expect(
      ociPrincipalType("ocid1.fnfunc.oc1.iad.f", "natv", {
        "opc-principal": [JSON.stringify({ claims: [{ key: "ptype", value: "resource" }] })],
      }),
    ).toBe("resource");
  });

  it("turns region identifiers into the keys request.region compares", () => {
    expect(ociRegionKey("eu-frankfurt-1")).toBe("FRA");
    expect(ociRegionKey("us-ashburn-1")).toBe("IAD");
    expect(ociRegionKey("nowhere-1")).toBeUndefined();
  });
});

describe("parseOciAuditExport", () => {
  it("accepts `oci audit event list` output and a bare array, counting what it skips", () => {
    const cli = JSON.stringify({ data: [cliForm(event()), { "event-id": "x" }] });
    const a = parseOciAuditExport(cli);
    expect(a.events).toHaveLength(1);
    expect(a.skipped).toEqual({ "no-event-time": 1 });
    const b = parseOciAuditExport(JSON.stringify([event(), event({ eventName: "GetBucket" })]));
    expect(b.events.map((e) => e.context["request.permission"])).toEqual(["BUCKET_DELETE", "BUCKET_READ"]);
  });

  it("refuses a file that is neither, naming what it expected", () => {
    expect(() => parseOciAuditExport("{}")).toThrow(/oci audit event list/);
    expect(() => parseOciAuditExport("nope")).toThrow(/not JSON/);
  });
});

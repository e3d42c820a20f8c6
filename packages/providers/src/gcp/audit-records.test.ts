import { describe, expect, it } from "vitest";
import { gcpAuditRecord, parseGcpAuditExport } from "./audit-records.ts";

/** An Admin Activity entry as Cloud Storage writes it for a bucket deletion (shape per audit_log.proto). */
const bucketDelete = {
  protoPayload: {
    "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
    status: {},
    authenticationInfo: { principalEmail: "agent-runner@prod-app.iam.gserviceaccount.com" },
    requestMetadata: { callerIp: "10.1.2.3", callerSuppliedUserAgent: "google-api-go-client/0.5" },
    serviceName: "storage.googleapis.com",
    methodName: "storage.buckets.delete",
    authorizationInfo: [
      { resource: "projects/_/buckets/prod-data", permission: "storage.buckets.delete", granted: true, resourceAttributes: {} },
    ],
    resourceName: "projects/_/buckets/prod-data",
    resourceLocation: { currentLocations: ["europe-west1"] },
  },
  insertId: "-abc123",
  resource: { type: "gcs_bucket", labels: { bucket_name: "prod-data", project_id: "prod-app", location: "europe-west1" } },
  timestamp: "2026-12-01T10:00:00.123Z",
  severity: "NOTICE",
  logName: "projects/prod-app/logs/cloudaudit.googleapis.com%2Factivity",
  receiveTimestamp: "2026-12-01T10:00:01Z",
};

describe("gcpAuditRecord", () => {
  it("normalises an Admin Activity entry", () => {
    const r = gcpAuditRecord(bucketDelete);
    expect(r).toEqual({
      event: {
        cloud: "gcp",
        id: "-abc123",
        time: "2026-12-01T10:00:00.123Z",
        principal: {
          id: "serviceAccount:agent-runner@prod-app.iam.gserviceaccount.com",
          type: "service-account",
          name: "agent-runner@prod-app.iam.gserviceaccount.com",
          account: "prod-app",
        },
        action: "storage.buckets.delete",
        resource: "//storage.googleapis.com/projects/_/buckets/prod-data",
        nodeExternalId: "projects/prod-app",
        region: "europe-west1",
        readOnly: false,
        plane: "management",
        outcome: "success",
        context: {
          "protoPayload.serviceName": "storage.googleapis.com",
          "protoPayload.methodName": "storage.buckets.delete",
          "protoPayload.authorizationInfo.permission": ["storage.buckets.delete"],
          "protoPayload.resourceLocation.currentLocations": ["europe-west1"],
          "protoPayload.requestMetadata.callerIp": "10.1.2.3",
          "resource.labels.project_id": "prod-app",
        },
      },
    });
  });

  it("reads a denied Data Access entry with several permission checks as one call", () => {
    const r = gcpAuditRecord({
      ...bucketDelete,
      logName: "projects/prod-app/logs/cloudaudit.googleapis.com%2Fdata_access",
      protoPayload: {
        ...bucketDelete.protoPayload,
        status: { code: 7, message: "PERMISSION_DENIED" },
        authenticationInfo: { principalEmail: "alice@example.com", principalSubject: "user:alice@example.com" },
        methodName: "storage.objects.get",
        authorizationInfo: [
          { resource: "projects/_/buckets/prod-data/objects/a", permission: "storage.objects.get", permissionType: "DATA_READ" },
          { resource: "projects/_/buckets/prod-data/objects/a", permission: "storage.objects.getIamPolicy", permissionType: "ADMIN_READ" },
        ],
      },
    });
    if (!("event" in r)) throw new Error(r.detail);
    expect(r.event.principal).toEqual({ id: "user:alice@example.com", type: "user", name: "alice@example.com" });
    expect(r.event.outcome).toBe("denied");
    expect(r.event.plane).toBe("data");
    expect(r.event.readOnly).toBe(true);
    expect(r.event.action).toBe("storage.objects.get");
    expect(r.event.context["protoPayload.authorizationInfo.permission"]).toEqual(["storage.objects.get", "storage.objects.getIamPolicy"]);
  });

  it("says why an entry is not an event", () => {
    expect(gcpAuditRecord("x")).toMatchObject({ skip: "malformed" });
    expect(gcpAuditRecord({ ...bucketDelete, logName: "projects/p/logs/syslog" })).toMatchObject({ skip: "not-audit-log" });
    expect(gcpAuditRecord({ ...bucketDelete, logName: "projects/p/logs/cloudaudit.googleapis.com%2Fsystem_event" })).toMatchObject({
      skip: "system-event",
    });
    expect(gcpAuditRecord({ ...bucketDelete, protoPayload: { ...bucketDelete.protoPayload, authenticationInfo: {} } })).toMatchObject({
      skip: "principal-not-logged",
    });
    expect(
      gcpAuditRecord({
        ...bucketDelete,
        operation: { id: "op-1", producer: "storage.googleapis.com", last: true },
        protoPayload: { ...bucketDelete.protoPayload, authorizationInfo: [] },
      }),
    ).toMatchObject({ skip: "operation-continuation" });
    expect(gcpAuditRecord({ ...bucketDelete, insertId: undefined })).toMatchObject({ skip: "malformed" });
  });

  it("takes an organisation-level entry's node from its log name, and a non-denial error as failed", () => {
    const r = gcpAuditRecord({
      ...bucketDelete,
      resource: { type: "organization", labels: { organization_id: "123456789012" } },
      logName: "organizations/123456789012/logs/cloudaudit.googleapis.com%2Factivity",
      protoPayload: { ...bucketDelete.protoPayload, status: { code: 5, message: "NOT_FOUND" } },
    });
    if (!("event" in r)) throw new Error(r.detail);
    expect(r.event.nodeExternalId).toBe("organizations/123456789012");
    expect(r.event.outcome).toBe("failed");
  });
});

describe("parseGcpAuditExport", () => {
  it("reads gcloud's JSON array", () => {
    const out = parseGcpAuditExport(JSON.stringify([bucketDelete, { logName: "projects/p/logs/syslog", textPayload: "x" }], null, 2));
    expect(out.events.map((e) => e.id)).toEqual(["-abc123"]);
    expect(out.skipped).toEqual({ "not-audit-log": 1 });
  });

  it("reads a sink's newline-delimited JSON, counting a bad line", () => {
    const lines = [JSON.stringify(bucketDelete), "{not json", JSON.stringify({ ...bucketDelete, insertId: "b" }), ""].join("\n");
    const out = parseGcpAuditExport(lines);
    expect(out.events.map((e) => e.id)).toEqual(["-abc123", "b"]);
    expect(out.skipped).toEqual({ malformed: 1 });
  });

  it("reads a single pretty-printed entry and an empty file", () => {
    expect(parseGcpAuditExport(JSON.stringify(bucketDelete, null, 2)).events).toHaveLength(1);
    expect(parseGcpAuditExport("  \n")).toEqual({ events: [], skipped: {} });
  });

  it("names the field when an array is not JSON", () => {
    expect(() => parseGcpAuditExport("[{")).toThrow(/^events: not a JSON array/);
  });
});

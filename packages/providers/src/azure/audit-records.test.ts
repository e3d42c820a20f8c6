import { describe, expect, it } from "vitest";
import { azureResourceTypeOf, parseAzureActivityEntry, parseAzureAuditExport } from "./audit-records.ts";

const SUB = "6b1c5d3e-2f4a-4b8c-9d0e-1a2b3c4d5e6f";
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-prod`;
const OID = "7d4b9f0e-1c2a-4e3b-8f5d-6a7b8c9d0e1f";
const APPID = "0f1e2d3c-4b5a-4968-8776-655443322110";

/** A REST-shaped (EventData) entry: LocalizableStrings, string-valued properties. */
const rest = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  authorization: { action: "Microsoft.DataProtection/backupVaults/delete", scope: VAULT },
  caller: APPID,
  claims: {
    "http://schemas.microsoft.com/identity/claims/objectidentifier": OID,
    "http://schemas.microsoft.com/identity/claims/tenantid": "00000000-0000-4000-8000-000000000001",
    appid: APPID,
    idtyp: "app",
    groups: "11111111-1111-4111-8111-111111111111, 44444444-4444-4444-8444-444444444444",
  },
  correlationId: "c1c1c1c1-0000-4000-8000-000000000001",
  eventDataId: "e1e1e1e1-0000-4000-8000-000000000001",
  category: { value: "Administrative", localizedValue: "Administrative" },
  eventName: { value: "EndRequest", localizedValue: "End request" },
  httpRequest: { clientRequestId: "r1", clientIpAddress: "203.0.113.7", method: "DELETE" },
  operationName: { value: "Microsoft.DataProtection/backupVaults/delete", localizedValue: "Delete backup vault" },
  resourceGroupName: "rg-backup",
  resourceId: VAULT,
  status: { value: "Succeeded", localizedValue: "Succeeded" },
  subStatus: { value: "OK", localizedValue: "OK (HTTP Status Code: 200)" },
  eventTimestamp: "2026-11-20T10:00:01.5Z",
  subscriptionId: SUB,
  properties: { statusCode: "OK" },
  ...over,
});

describe("Activity Log entry parsing", () => {
  it("normalises a REST entry: operation, caller claims, subscription, outcome", () => {
    const r = parseAzureActivityEntry(rest());
    expect(r).toEqual({
      event: {
        cloud: "azure",
        id: "e1e1e1e1-0000-4000-8000-000000000001",
        time: "2026-11-20T10:00:01.500Z",
        principal: {
          id: OID,
          type: "app",
          name: APPID,
          account: "00000000-0000-4000-8000-000000000001",
          groups: ["11111111-1111-4111-8111-111111111111", "44444444-4444-4444-8444-444444444444"],
        },
        action: "Microsoft.DataProtection/backupVaults/delete",
        resource: VAULT,
        nodeExternalId: SUB,
        readOnly: false,
        plane: "management",
        outcome: "success",
        context: {
          "azure:clientIpAddress": "203.0.113.7",
          "azure:httpMethod": "DELETE",
          "azure:correlationId": "c1c1c1c1-0000-4000-8000-000000000001",
          "azure:status": "Succeeded",
          "azure:resourceGroup": "rg-backup",
          "azure:appId": APPID,
        },
      },
    });
  });

  it("reads a policy refusal as denied, RBAC refusal as denied, other failures as failed", () => {
    const policy = rest({
      status: { value: "Failed" },
      subStatus: { value: "Forbidden" },
      properties: {
        statusCode: "Forbidden",
        statusMessage: JSON.stringify({
          error: { code: "RequestDisallowedByPolicy", message: "Resource 'bv-prod' was disallowed by policy." },
        }),
      },
    });
    expect(parseAzureActivityEntry(policy)).toMatchObject({
      event: { outcome: "denied", context: { "azure:errorCode": "RequestDisallowedByPolicy" } },
    });
    const rbac = rest({
      status: { value: "Failed" },
      subStatus: { value: "" },
      properties: { statusMessage: JSON.stringify({ error: { code: "AuthorizationFailed" } }) },
    });
    expect(parseAzureActivityEntry(rbac)).toMatchObject({ event: { outcome: "denied" } });
    const conflict = rest({ status: { value: "Failed" }, subStatus: { value: "Conflict" }, properties: { statusCode: "Conflict" } });
    expect(parseAzureActivityEntry(conflict)).toMatchObject({ event: { outcome: "failed" } });
  });

  it("parses a logged request body (a JSON string in the REST shape) and a user caller", () => {
    const r = parseAzureActivityEntry(
      rest({
        caller: "ana@contoso.example",
        claims: {
          "http://schemas.microsoft.com/identity/claims/objectidentifier": OID,
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "ana@contoso.example",
        },
        operationName: { value: "Microsoft.Storage/storageAccounts/write" },
        properties: { requestbody: '{"location":"westeurope","properties":{"allowBlobPublicAccess":true}}' },
      }),
    );
    expect(r).toMatchObject({
      event: {
        principal: { id: OID, type: "user", name: "ana@contoso.example" },
        request: { location: "westeurope", properties: { allowBlobPublicAccess: true } },
      },
    });
  });

  it("skips what is not a caller's request, with a reason", () => {
    expect(parseAzureActivityEntry(rest({ category: { value: "ServiceHealth" } }))).toEqual({
      skip: "not-administrative",
      detail: "ServiceHealth",
    });
    expect(parseAzureActivityEntry(rest({ claims: {}, caller: undefined }))).toMatchObject({ skip: "no-caller" });
    expect(parseAzureActivityEntry(rest({ eventTimestamp: "yesterday" }))).toMatchObject({ skip: "malformed" });
    expect(parseAzureActivityEntry("nope")).toMatchObject({ skip: "malformed" });
  });

  it("names resource types from ids, including children, extensions and containers", () => {
    expect(azureResourceTypeOf(VAULT)).toBe("Microsoft.DataProtection/backupVaults");
    expect(azureResourceTypeOf(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Sql/servers/s/databases/d`)).toBe(
      "Microsoft.Sql/servers/databases",
    );
    expect(azureResourceTypeOf(`${VAULT}/providers/Microsoft.Insights/diagnosticSettings/x`)).toBe("Microsoft.Insights/diagnosticSettings");
    expect(azureResourceTypeOf(`/subscriptions/${SUB}/resourceGroups/rg`)).toBe("Microsoft.Resources/subscriptions/resourceGroups");
  });
});

describe("Activity Log export files", () => {
  const started = rest({
    eventDataId: "e0",
    eventName: { value: "BeginRequest" },
    status: { value: "Started" },
    subStatus: { value: "" },
    eventTimestamp: "2026-11-20T10:00:00Z",
    properties: {},
  });

  it("accepts the list API page and the CLI array, collapsing a call's entries into one event", () => {
    for (const text of [
      JSON.stringify({ value: [started, rest()], nextLink: "https://management.azure.com/x" }),
      JSON.stringify([started, rest()]),
    ]) {
      const r = parseAzureAuditExport(text);
      expect(r.skipped).toEqual({});
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({
        id: "e0",
        time: "2026-11-20T10:00:00.000Z",
        outcome: "success",
        context: { "azure:status": "Succeeded" },
      });
    }
    expect(parseAzureAuditExport("[]").format).toBe("cli-array");
  });

  it("accepts the diagnostic-settings export (records, flat strings, identity.claims, upper-cased operation)", () => {
    const record = {
      time: "2026-11-20T10:05:00.1234567Z",
      resourceId: VAULT.toUpperCase().replace(
        "/PROVIDERS/MICROSOFT.DATAPROTECTION/BACKUPVAULTS/",
        "/providers/Microsoft.DataProtection/backupVaults/",
      ),
      operationName: "MICROSOFT.DATAPROTECTION/BACKUPVAULTS/DELETE",
      category: "Administrative",
      resultType: "Failure",
      resultSignature: "Forbidden.",
      durationMs: "41",
      callerIpAddress: "203.0.113.9",
      correlationId: "c2",
      identity: {
        authorization: { scope: VAULT, action: "Microsoft.DataProtection/backupVaults/delete" },
        claims: { "http://schemas.microsoft.com/identity/claims/objectidentifier": OID, appid: APPID, idtyp: "app" },
      },
      level: "Error",
      properties: {
        statusCode: "Forbidden",
        statusMessage: { error: { code: "RequestDisallowedByPolicy", message: "denied" } },
        eventCategory: "Administrative",
        entity: VAULT,
      },
    };
    const serviceHealth = { ...record, category: "ServiceHealth" };
    const r = parseAzureAuditExport(JSON.stringify({ records: [record, serviceHealth] }));
    expect(r.format).toBe("diagnostic-records");
    expect(r.skipped).toEqual({ "not-administrative": 1 });
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      action: "Microsoft.DataProtection/backupVaults/delete",
      outcome: "denied",
      principal: { id: OID, type: "app" },
      nodeExternalId: SUB.toUpperCase(),
      context: { "azure:clientIpAddress": "203.0.113.9" },
    });
    // Storage blobs hold one record per line.
    const lines = parseAzureAuditExport(`${JSON.stringify(record)}\n${JSON.stringify({ ...record, correlationId: "c3" })}\n`);
    expect(lines.events).toHaveLength(2);
  });

  it("refuses a file that is none of the formats, naming what it expected", () => {
    expect(() => parseAzureAuditExport('{"Records":[]}')).toThrow(/\{value:\[\.\.\.\]\}.*\{records:\[\.\.\.\]\}/);
    expect(() => parseAzureAuditExport("not json at all")).toThrow(/not JSON/);
  });
});

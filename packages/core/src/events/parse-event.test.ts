import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../common/errors.ts";
import { ZReconcileJob } from "../jobs/definitions.ts";
import { parseCloudEvent, verifyEventSignature } from "./parse-event.ts";

const sign = (secret: string, ts: string, body: string) => `sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`;

describe("event signatures", () => {
  const body = '{"a":1}';
  const now = 1_800_000_000;
  it("accepts a fresh, correctly signed event", () => {
    expect(() => verifyEventSignature("s3cret", body, String(now), sign("s3cret", String(now), body), now)).not.toThrow();
  });
  it.each([
    ["a wrong secret", String(now), sign("other", String(now), body), /does not match/],
    ["a replayed (old) event", String(now - 301), sign("s3cret", String(now - 301), body), /replay window/],
    ["no timestamp", null, sign("s3cret", String(now), body), /timestamp/],
    ["a malformed signature", String(now), "md5=abc", /malformed/],
  ])("rejects %s", (_n, ts, sig, re) => {
    expect(() => verifyEventSignature("s3cret", body, ts, sig, now)).toThrow(re);
  });
  it("rejects a body changed after signing", () => {
    expect(() => verifyEventSignature("s3cret", '{"a":2}', String(now), sign("s3cret", String(now), body), now)).toThrow(/does not match/);
  });
});

describe("event parsing", () => {
  it("reads EventBridge CloudTrail events", () => {
    const e = parseCloudEvent("aws", {
      id: "e1",
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName: "DetachPolicy", userIdentity: { arn: "arn:aws:iam::1:user/bob" } },
    });
    expect(e).toEqual({
      eventId: "e1",
      summary: "aws.organizations DetachPolicy by arn:aws:iam::1:user/bob",
      hierarchyChanged: false,
      hierarchy: { kind: "none" },
    });
    // A hierarchy action without the id it should carry cannot be narrowed: a full sweep.
    expect(parseCloudEvent("aws", { id: "e2", source: "aws.organizations", detail: { eventName: "MoveAccount" } })).toMatchObject({
      hierarchyChanged: true,
      hierarchy: { kind: "sweep" },
    });
    // A long (valid) ARN still gives a summary the reconcile job's `reason` accepts.
    const long = parseCloudEvent("aws", {
      id: "e3",
      source: "aws.organizations",
      detail: { eventName: "DetachPolicy", userIdentity: { arn: `arn:aws:sts::1:assumed-role/${"r".repeat(1500)}` } },
    });
    expect(ZReconcileJob.shape.reason.safeParse(long.summary).success).toBe(true);
  });
  const aws = (eventName: string, detail: Record<string, unknown>, detailType = "AWS API Call via CloudTrail") =>
    parseCloudEvent("aws", { id: "x", source: "aws.organizations", "detail-type": detailType, detail: { eventName, ...detail } }).hierarchy;
  it.each([
    [
      "MoveAccount",
      { requestParameters: { accountId: "111122223333", sourceParentId: "r-ab12", destinationParentId: "ou-ab12-11111111" } },
      ["111122223333"],
    ],
    ["CloseAccount", { requestParameters: { accountId: "111122223333" } }, ["111122223333"]],
    ["RemoveAccountFromOrganization", { requestParameters: { accountId: "111122223333" } }, ["111122223333"]],
    ["TagResource", { requestParameters: { resourceId: "ou-ab12-11111111", tags: [{ key: "env", value: "prod" }] } }, ["ou-ab12-11111111"]],
    ["UntagResource", { requestParameters: { resourceId: "r-ab12", tagKeys: ["env"] } }, ["r-ab12"]],
    [
      "CreateOrganizationalUnit",
      { requestParameters: { parentId: "r-ab12", name: "x" }, responseElements: { organizationalUnit: { id: "ou-ab12-22222222" } } },
      ["ou-ab12-22222222"],
    ],
    ["UpdateOrganizationalUnit", { requestParameters: { organizationalUnitId: "ou-ab12-22222222", name: "y" } }, ["ou-ab12-22222222"]],
    ["DeleteOrganizationalUnit", { requestParameters: { organizationalUnitId: "ou-ab12-22222222" } }, ["ou-ab12-22222222"]],
  ])("narrows %s to the node it names", (name, detail, ids) => {
    expect(aws(name, detail)).toEqual({ kind: "nodes", externalIds: ids });
  });
  it("waits for CreateAccountResult, the service event that names a new account", () => {
    expect(aws("CreateAccount", { responseElements: { createAccountStatus: { id: "car-abcdefgh", state: "IN_PROGRESS" } } })).toEqual({
      kind: "none",
    });
    const result = (status: Record<string, unknown>) =>
      aws(
        "CreateAccountResult",
        { eventType: "AwsServiceEvent", serviceEventDetails: { createAccountStatus: status } },
        "AWS Service Event via CloudTrail",
      );
    expect(result({ state: "SUCCEEDED", accountId: "444455556666" })).toEqual({ kind: "nodes", externalIds: ["444455556666"] });
    expect(result({ state: "FAILED", failureReason: "EMAIL_ALREADY_EXISTS" })).toEqual({ kind: "none" });
    expect(result({ state: "SUCCEEDED" })).toEqual({ kind: "sweep" });
  });
  it("never narrows to something that is not a node id, and ignores policy tags", () => {
    expect(aws("MoveAccount", { requestParameters: { accountId: "../../etc" } })).toEqual({ kind: "sweep" });
    expect(aws("TagResource", { requestParameters: { resourceId: "p-abcdefgh" } })).toEqual({ kind: "none" });
    expect(aws("AcceptHandshake", { requestParameters: { handshakeId: "h-abcdefgh" } })).toEqual({ kind: "sweep" });
    expect(aws("InviteAccountToOrganization", {})).toEqual({ kind: "none" });
  });
  it("reads Event Grid batches", () => {
    const e = parseCloudEvent("azure", [
      {
        id: "b",
        eventType: "Microsoft.Resources.ResourceWriteSuccess",
        data: { operationName: "Microsoft.Authorization/policyAssignments/write" },
      },
      { id: "a", eventType: "Microsoft.Resources.ResourceDeleteSuccess" },
    ]);
    expect(e.eventId).toBe("a,b");
    expect(e.hierarchyChanged).toBe(false);
  });
  it("narrows Event Grid ARM events to the management groups and subscriptions they name", () => {
    const sub = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    const mg = "/providers/Microsoft.Management/managementGroups";
    const ev = (operationName: string, uri?: string, where: "subject" | "data" = "subject") => ({
      id: `e-${operationName}-${uri ?? ""}`,
      eventType: operationName.endsWith("/delete")
        ? "Microsoft.Resources.ResourceDeleteSuccess"
        : "Microsoft.Resources.ResourceWriteSuccess",
      ...(uri && where === "subject" ? { subject: uri } : {}),
      data: { operationName, ...(uri && where === "data" ? { resourceUri: uri } : {}) },
    });
    const hint = (...events: ReturnType<typeof ev>[]) => parseCloudEvent("azure", events).hierarchy;
    const group = (name: string) => ({ kind: "nodes", externalIds: [`providers/Microsoft.Management/managementGroups/${name}`] });
    const subscription = { kind: "nodes", externalIds: [`subscriptions/${sub}`] };

    // A group created, renamed or moved, or deleted: that group.
    expect(hint(ev("Microsoft.Management/managementGroups/write", `${mg}/corp-prod`))).toEqual(group("corp-prod"));
    expect(hint(ev("Microsoft.Management/managementGroups/delete", `${mg}/Old.Team_(1)`, "data"))).toEqual(group("Old.Team_(1)"));
    // A subscription put under a group, or sent back to the root group: the subscription.
    expect(hint(ev("Microsoft.Management/managementGroups/subscriptions/write", `${mg}/corp-prod/subscriptions/${sub}`))).toEqual(
      subscription,
    );
    expect(hint(ev("microsoft.management/managementgroups/subscriptions/delete", `${mg}/corp-prod/subscriptions/${sub}`))).toEqual(
      subscription,
    );
    // Subscription tags are its labels; a resource group's or a resource's tags are no node's.
    expect(hint(ev("Microsoft.Resources/tags/write", `/subscriptions/${sub}/providers/Microsoft.Resources/tags/default`))).toEqual(
      subscription,
    );
    expect(hint(ev("Microsoft.Resources/tags/delete", `/subscriptions/${sub}/providers/Microsoft.Resources/tags/default`))).toEqual(
      subscription,
    );
    expect(
      hint(ev("Microsoft.Resources/tags/write", `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Resources/tags/default`)),
    ).toEqual({
      kind: "none",
    });
    // Renaming or cancelling a subscription (Microsoft.Subscription actions).
    expect(hint(ev("Microsoft.Subscription/rename/action", `/subscriptions/${sub}/providers/Microsoft.Subscription/rename`))).toEqual(
      subscription,
    );
    expect(hint(ev("Microsoft.Subscription/cancel/action", `/subscriptions/${sub}`))).toEqual(subscription);

    // Policy is no hierarchy change, even at a management group.
    expect(
      hint(ev("Microsoft.Authorization/policyAssignments/write", `${mg}/corp-prod/providers/Microsoft.Authorization/policyAssignments/a`)),
    ).toEqual({
      kind: "none",
    });
    // What cannot be narrowed safely is a sweep: no resource id, an id that is not the group's, a subscription id
    // that is not one, other management-group operations.
    expect(hint(ev("Microsoft.Management/managementGroups/write"))).toEqual({ kind: "sweep" });
    expect(hint(ev("Microsoft.Management/managementGroups/write", `${mg}/corp-prod/settings/default`))).toEqual({ kind: "sweep" });
    expect(hint(ev("Microsoft.Management/managementGroups/subscriptions/write", `${mg}/corp-prod/subscriptions/not-a-guid`))).toEqual({
      kind: "sweep",
    });
    expect(hint(ev("Microsoft.Management/managementGroups/settings/write", `${mg}/root/settings/default`))).toEqual({ kind: "sweep" });
    expect(hint(ev("Microsoft.Resources/tags/write", `${mg}/corp-prod/providers/Microsoft.Resources/tags/default`))).toEqual({
      kind: "sweep",
    });

    // A batch names every node its events name; one sweep makes the batch a sweep.
    expect(
      hint(
        ev("Microsoft.Management/managementGroups/write", `${mg}/incoming`),
        ev("Microsoft.Management/managementGroups/subscriptions/write", `${mg}/incoming/subscriptions/${sub}`),
        ev("Microsoft.Resources/tags/write", `/subscriptions/${sub}/providers/Microsoft.Resources/tags/default`),
        ev(
          "Microsoft.Storage/storageAccounts/write",
          `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s`,
        ),
      ),
    ).toEqual({ kind: "nodes", externalIds: ["providers/Microsoft.Management/managementGroups/incoming", `subscriptions/${sub}`] });
    expect(hint(ev("Microsoft.Management/managementGroups/write", `${mg}/a`), ev("Microsoft.Management/managementGroups/write"))).toEqual({
      kind: "sweep",
    });
  });
  it("reads Pub/Sub pushed audit logs", () => {
    const entry = {
      insertId: "i1",
      protoPayload: { methodName: "google.cloud.orgpolicy.v2.OrgPolicy.UpdatePolicy", resourceName: "organizations/1/policies/x" },
    };
    const e = parseCloudEvent("gcp", { message: { data: Buffer.from(JSON.stringify(entry)).toString("base64"), messageId: "m1" } });
    expect(e).toMatchObject({ eventId: "m1", hierarchyChanged: false });
    expect(e.summary).toContain("UpdatePolicy");
  });
  it("narrows Resource Manager audit entries to the project or folder they name", () => {
    const push = (methodName: string, resourceName?: string) =>
      parseCloudEvent("gcp", {
        message: {
          data: Buffer.from(
            JSON.stringify({ insertId: "i", protoPayload: { methodName, ...(resourceName ? { resourceName } : {}) } }),
          ).toString("base64"),
          messageId: `m-${methodName}`,
        },
      }).hierarchy;
    expect(push("google.cloud.resourcemanager.v3.Projects.MoveProject", "projects/123456")).toEqual({
      kind: "nodes",
      externalIds: ["projects/123456"],
    });
    expect(push("google.cloud.resourcemanager.v3.Folders.UpdateFolder", "folders/42")).toEqual({
      kind: "nodes",
      externalIds: ["folders/42"],
    });
    expect(push("google.cloud.resourcemanager.v3.Projects.UpdateProject")).toEqual({ kind: "sweep" });
    expect(push("google.cloud.orgpolicy.v2.OrgPolicy.UpdatePolicy", "organizations/1/policies/x")).toEqual({ kind: "none" });
  });
  it("reads OCI events", () => {
    expect(
      parseCloudEvent("oci", { eventID: "o1", eventType: "com.oraclecloud.identitycontrolplane.createcompartment" }).hierarchyChanged,
    ).toBe(true);
  });
  it("narrows OCI compartment events to the compartment they name", () => {
    const comp = "ocid1.compartment.oc1..aaaaaaaa4xkqjs7rdwzq3mb2cl5ufe6ztg3ydl7r5xnyhqvo2kaw3pmfbzua";
    const event = (eventType: string, resourceId?: string) =>
      parseCloudEvent("oci", {
        eventID: `e-${eventType}`,
        eventType,
        data: { compartmentId: "ocid1.tenancy.oc1..aaaaaaaaroot", resourceName: "Payments", ...(resourceId ? { resourceId } : {}) },
      }).hierarchy;
    for (const action of ["create", "update", "move", "delete", "recover"]) {
      expect(event(`com.oraclecloud.identitycontrolplane.${action}compartment`, comp)).toEqual({ kind: "nodes", externalIds: [comp] });
    }
    // Tags set on the tenancy (root compartment) name the tenancy.
    expect(event("com.oraclecloud.identitycontrolplane.updatecompartment", "ocid1.tenancy.oc1..aaaaaaaaroot")).toEqual({
      kind: "nodes",
      externalIds: ["ocid1.tenancy.oc1..aaaaaaaaroot"],
    });
    // A compartment event that names no compartment, or one we do not know how to narrow: a full sweep.
    expect(event("com.oraclecloud.identitycontrolplane.movecompartment")).toEqual({ kind: "sweep" });
    expect(event("com.oraclecloud.identitycontrolplane.updatecompartment", "ocid1.policy.oc1..aaaaaaaap")).toEqual({ kind: "sweep" });
    // An Identity compartment event outside the list (a name made up here) is still a hierarchy change.
    expect(event("com.oraclecloud.identitycontrolplane.archivecompartment", comp)).toEqual({ kind: "sweep" });
    // Not the hierarchy: policies, and other services' "change…compartment" moves of their own resources.
    expect(event("com.oraclecloud.identitycontrolplane.updatepolicy", "ocid1.policy.oc1..aaaaaaaap")).toEqual({ kind: "none" });
    expect(event("com.oraclecloud.cloudguard.changesecurityzonecompartment", "ocid1.securityzone.oc1..z")).toEqual({ kind: "none" });
  });
  it.each([
    ["aws", { source: "x" }, /aws event: id/],
    ["azure", [], /azure event/],
    ["gcp", { message: { data: "!!!", messageId: "m" } }, /message.data/],
    ["oci", { eventID: 5 }, /oci event: eventID/],
  ] as const)("names the field when a %s event is malformed", (cloud, body, re) => {
    let err: unknown;
    try {
      parseCloudEvent(cloud, body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(re);
  });
});

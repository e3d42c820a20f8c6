import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsSim } from "./index.ts";
import { organizationsClient, rejection, stsClient, type AwsTestCredentials } from "./sdk-clients.ts";

let sim: AwsSim;
const demoKey: AwsTestCredentials = {
  accessKeyId: AWS_DEMO.credentials.accessKeyId,
  secretAccessKey: AWS_DEMO.credentials.secretAccessKey,
};

async function adminPost(path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}/_admin/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function assume(roleArn: string, externalId?: string, caller = demoKey) {
  const sts = stsClient(sim.url, caller);
  try {
    return await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "parapet-test", ExternalId: externalId }));
  } finally {
    sts.destroy();
  }
}

function clientFor(creds: AwsTestCredentials, extra: ConstructorParameters<typeof OrganizationsClient>[0] = {}): OrganizationsClient {
  return new OrganizationsClient({ endpoint: sim.url, region: "us-east-1", credentials: creds, maxAttempts: 1, ...extra });
}

beforeAll(async () => {
  sim = await startAwsSim({ throttle: false });
  seedAwsDemo(sim);
});
afterAll(async () => {
  await sim.close();
});

describe("SigV4", () => {
  it("accepts a request signed with the registered secret", async () => {
    const c = clientFor(demoKey);
    expect((await c.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    c.destroy();
  });

  it("rejects a wrong secret with InvalidSignatureException and an unknown key with UnrecognizedClientException", async () => {
    const wrong = clientFor({ ...demoKey, secretAccessKey: "not-the-secret" });
    const e = await rejection(wrong.send(new ListRootsCommand({})));
    expect(e.name).toBe("InvalidSignatureException");
    expect(e.message).toMatch(/signature we calculated does not match/);
    const unknown = clientFor({ accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" });
    expect((await rejection(unknown.send(new ListRootsCommand({})))).name).toBe("UnrecognizedClientException");
    wrong.destroy();
    unknown.destroy();
  });

  it("rejects Organizations requests signed for a region other than us-east-1", async () => {
    const eu = clientFor(demoKey, { region: "eu-west-1" });
    const e = await rejection(eu.send(new ListRootsCommand({})));
    expect(e.name).toBe("InvalidSignatureException");
    expect(e.message).toContain("eu-west-1");
    eu.destroy();
  });

  it("rejects a request signed more than 15 minutes ago", async () => {
    const skewed = clientFor(demoKey, { systemClockOffset: -20 * 60 * 1000 });
    const e = await rejection(skewed.send(new ListRootsCommand({})));
    expect(e.name).toBe("InvalidSignatureException");
    expect(e.message).toMatch(/Signature expired/);
    skewed.destroy();
  });

  it("STS answers signature problems in its own XML error codes", async () => {
    const sts = stsClient(sim.url, { ...demoKey, secretAccessKey: "wrong" });
    expect((await rejection(sts.send(new GetCallerIdentityCommand({})))).name).toBe("SignatureDoesNotMatch");
    const unknown = stsClient(sim.url, { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" });
    expect((await rejection(unknown.send(new GetCallerIdentityCommand({})))).name).toBe("InvalidClientTokenId");
    sts.destroy();
    unknown.destroy();
  });
});

describe("AssumeRole with an external id", () => {
  it("returns temporary credentials that the Organizations API accepts", async () => {
    const r = await assume(AWS_DEMO.role.arn, AWS_DEMO.role.externalId);
    expect(r.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(r.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(r.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${AWS_DEMO.managementAccountId}:assumed-role/ParapetConnector/parapet-test`);
    const creds = {
      accessKeyId: r.Credentials!.AccessKeyId!,
      secretAccessKey: r.Credentials!.SecretAccessKey!,
      sessionToken: r.Credentials!.SessionToken!,
    };
    const c = clientFor(creds);
    expect((await c.send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId).toBe(AWS_DEMO.managementAccountId);
    const sts = stsClient(sim.url, creds);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(r.AssumedRoleUser!.Arn);
    sts.destroy();
    const forged = clientFor({ ...creds, sessionToken: "forged" });
    expect((await rejection(forged.send(new ListRootsCommand({})))).name).toBe("UnrecognizedClientException");
    c.destroy();
    forged.destroy();
  });

  it("denies a wrong or missing external id, an unknown role and an untrusted caller", async () => {
    for (const ext of ["wrong-external-id", undefined]) {
      const e = await rejection(assume(AWS_DEMO.role.arn, ext));
      expect(e.name).toBe("AccessDenied");
      expect(e.message).toContain("is not authorized to perform: sts:AssumeRole");
    }
    expect((await rejection(assume(`arn:aws:iam::${AWS_DEMO.managementAccountId}:role/Nope`, "x1"))).name).toBe("AccessDenied");
    sim.addCredential({ accessKeyId: "AKIASTRANGER00000001", secretAccessKey: "stranger-secret", accountId: "999988887777" });
    sim.addRole({
      arn: `arn:aws:iam::${AWS_DEMO.managementAccountId}:role/TrustsOnlyDemo`,
      trustedPrincipals: [AWS_DEMO.managementAccountId],
    });
    const stranger = { accessKeyId: "AKIASTRANGER00000001", secretAccessKey: "stranger-secret" };
    expect((await rejection(assume(`arn:aws:iam::${AWS_DEMO.managementAccountId}:role/TrustsOnlyDemo`, undefined, stranger))).name).toBe(
      "AccessDenied",
    );
    expect((await assume(`arn:aws:iam::${AWS_DEMO.managementAccountId}:role/TrustsOnlyDemo`)).Credentials).toBeDefined();
  });

  it("validates the session duration against the role's maximum", async () => {
    const sts = stsClient(sim.url, demoKey);
    const e = await rejection(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: AWS_DEMO.role.arn,
          RoleSessionName: "long",
          ExternalId: AWS_DEMO.role.externalId,
          DurationSeconds: 7200,
        }),
      ),
    );
    expect(e.name).toBe("ValidationError");
    sts.destroy();
  });

  it("refuses expired session credentials with ExpiredTokenException", async () => {
    const role = sim.sim.iam.role(AWS_DEMO.role.arn)!;
    const s = sim.sim.iam.createSession(role, "old", 900, Date.now() - 1000 * 1000);
    const c = clientFor({ accessKeyId: s.principal.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken });
    expect((await rejection(c.send(new ListRootsCommand({})))).name).toBe("ExpiredTokenException");
    c.destroy();
  });
});

describe("permissions", () => {
  it("a read-only role can read but is denied writes, naming the missing action", async () => {
    const r = await assume(AWS_DEMO.readOnlyRole.arn, AWS_DEMO.readOnlyRole.externalId);
    const c = clientFor({
      accessKeyId: r.Credentials!.AccessKeyId!,
      secretAccessKey: r.Credentials!.SecretAccessKey!,
      sessionToken: r.Credentials!.SessionToken!,
    });
    expect((await c.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY" }))).Policies!.length).toBeGreaterThan(1);
    const e = await rejection(
      c.send(
        new CreatePolicyCommand({
          Name: "x",
          Description: "",
          Type: "SERVICE_CONTROL_POLICY",
          Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
        }),
      ),
    );
    expect(e.name).toBe("AccessDeniedException");
    expect(e.message).toContain("organizations:CreatePolicy");
    expect(e.message).toContain("assumed-role/ParapetReadOnly/parapet-test");
    c.destroy();
  });

  it("allowed actions of a key can be narrowed through the admin API", async () => {
    const key = { accessKeyId: "AKIANARROW0000000001", secretAccessKey: "narrow-secret" };
    expect((await adminPost("credentials", { ...key, allowedActions: ["ListRoots", "organizations:DescribeOrganization"] })).status).toBe(
      200,
    );
    const c = clientFor(key);
    expect((await c.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    expect((await c.send(new DescribeOrganizationCommand({}))).Organization).toBeDefined();
    const denied = await rejection(c.send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: sim.state.root.id })));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toContain("organizations:AttachPolicy");
    expect((await adminPost("credentials/allowed-actions", { accessKeyId: key.accessKeyId, allowedActions: [] })).status).toBe(200);
    expect((await rejection(c.send(new ListRootsCommand({})))).name).toBe("AccessDeniedException");
    c.destroy();
  });

  it("a member account may only describe its organization; an outside account is not in one", async () => {
    const member = sim.state.accounts.get(sim.admin.find({ account: "payments-prod" })!)!;
    sim.addCredential({ accessKeyId: "AKIAMEMBER0000000001", secretAccessKey: "member-secret", accountId: member.id });
    const m = clientFor({ accessKeyId: "AKIAMEMBER0000000001", secretAccessKey: "member-secret" });
    expect((await m.send(new DescribeOrganizationCommand({}))).Organization!.Id).toBe(sim.state.orgId);
    expect((await rejection(m.send(new ListRootsCommand({})))).name).toBe("AccessDeniedException");
    sim.addCredential({ accessKeyId: "AKIAOUTSIDER00000001", secretAccessKey: "outside-secret", accountId: "444455556666" });
    const outside = clientFor({ accessKeyId: "AKIAOUTSIDER00000001", secretAccessKey: "outside-secret" });
    expect((await rejection(outside.send(new DescribeOrganizationCommand({})))).name).toBe("AWSOrganizationsNotInUseException");
    m.destroy();
    outside.destroy();
  });
});

describe("demo organization", () => {
  it("has the documented OUs, tagged accounts and customer SCPs taking slots", async () => {
    const tree = sim.admin.tree() as { ous: Array<{ name: string; ous: Array<{ name: string }> }> };
    expect(tree.ous.map((o) => o.name)).toEqual(["Security", "Infrastructure", "Workloads", "Sandbox", "AI-Agents"]);
    expect(tree.ous.find((o) => o.name === "Workloads")!.ous.map((o) => o.name)).toEqual(["Prod", "NonProd"]);
    expect(sim.state.accounts.size).toBeGreaterThanOrEqual(40);
    const agents = [...sim.state.accounts.values()].filter((a) => a.tags.get("agent") === "true");
    expect(agents.length).toBe(5);
    const prodOu = sim.admin.find({ ou: "Workloads/Prod" })!;
    const c = organizationsClient(sim.url, demoKey, { maxAttempts: 1 });
    const names = [];
    for (const id of sim.state.ous.get(prodOu)!.policies) names.push(sim.state.policies.get(id)!.name);
    expect(names).toEqual(["FullAWSAccess", "RCPFullAWSAccess", "DenyRootUser"]);
    const guard = (await c.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY" }))).Policies!.find((p) =>
      p.Name!.startsWith("aws-guardrails-"),
    );
    expect(guard).toBeDefined();
    c.destroy();
  });
});

import {
  AttachPolicyCommand,
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DeleteOrganizationalUnitCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  type OrganizationsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateOrganizationalUnitCommand,
  UpdatePolicyCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
  paginateListOrganizationalUnitsForParent,
  paginateListTargetsForPolicy,
  type PolicyType,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAwsSim, type AwsSim } from "./index.ts";
import { organizationsClient, rejection } from "./sdk-clients.ts";

const SCP = "SERVICE_CONTROL_POLICY" as const;
const RCP = "RESOURCE_CONTROL_POLICY" as const;

function scpDoc(action = "s3:DeleteBucket"): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: action, Resource: "*" }] });
}
function rcpDoc(action = "s3:GetObject"): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: action, Resource: "*" }] });
}

let sim: AwsSim;
let org: OrganizationsClient;
let rootId: string;
let seq = 0;
const uniq = (p: string) => `${p}-${++seq}`;

async function newOu(parentId = rootId, name = uniq("ou")): Promise<string> {
  const r = await org.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }));
  return r.OrganizationalUnit!.Id!;
}
async function newAccount(parentId?: string): Promise<string> {
  const name = uniq("acct");
  const r = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  const id = r.CreateAccountStatus!.AccountId!;
  if (parentId) await org.send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parentId }));
  return id;
}
async function newPolicy(type: PolicyType = SCP, content?: string): Promise<string> {
  const r = await org.send(
    new CreatePolicyCommand({
      Name: uniq("pol"),
      Description: "test",
      Type: type,
      Content: content ?? (type === SCP ? scpDoc() : rcpDoc()),
    }),
  );
  return r.Policy!.PolicySummary!.Id!;
}
async function policiesFor(targetId: string, type: PolicyType = SCP): Promise<string[]> {
  const r = await org.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: type }));
  return r.Policies!.map((p) => p.Id!);
}

beforeAll(async () => {
  sim = await startAwsSim({ throttle: false, seed: 7 });
  org = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
  rootId = sim.state.root.id;
});
afterAll(async () => {
  org.destroy();
  await sim.close();
});

describe("organization and roots", () => {
  it("describes the organization with the management account", async () => {
    const r = await org.send(new DescribeOrganizationCommand({}));
    expect(r.Organization!.Id).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(r.Organization!.FeatureSet).toBe("ALL");
    expect(r.Organization!.MasterAccountId).toBe(sim.state.managementAccountId);
    expect(r.Organization!.Arn).toBe(`arn:aws:organizations::${sim.state.managementAccountId}:organization/${r.Organization!.Id}`);
  });

  it("lists the single root with both policy types enabled", async () => {
    const r = await org.send(new ListRootsCommand({}));
    expect(r.Roots).toHaveLength(1);
    expect(r.Roots![0]!.Id).toMatch(/^r-[0-9a-z]{4,32}$/);
    expect(r.Roots![0]!.PolicyTypes!.map((t) => t.Type).sort()).toEqual([RCP, SCP]);
    expect(r.NextToken).toBeUndefined();
  });
});

describe("organizational units", () => {
  it("creates nested OUs down to depth 5 and refuses a sixth level", async () => {
    let parent = rootId;
    const chain: string[] = [];
    for (let d = 1; d <= 5; d++) {
      parent = await newOu(parent, `level-${d}`);
      chain.push(parent);
    }
    const described = await org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parent }));
    expect(described.OrganizationalUnit!.Name).toBe("level-5");
    expect(described.OrganizationalUnit!.Path).toBe(`${sim.state.orgId}/${rootId}/${chain.join("/")}/`);
    const e = await rejection(org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: "level-6" })));
    expect(e.name).toBe("ConstraintViolationException");
    expect(e.Reason).toBe("OU_DEPTH_LIMIT_EXCEEDED");
    expect(e.$metadata?.httpStatusCode).toBe(400);
  });

  it("enforces the OU count limit from configuration", async () => {
    sim.configure({ limits: { ouMax: sim.state.ous.size + 1 } });
    try {
      await newOu();
      const e = await rejection(newOu());
      expect(e.name).toBe("ConstraintViolationException");
      expect(e.Reason).toBe("OU_NUMBER_LIMIT_EXCEEDED");
    } finally {
      sim.configure({ limits: { ouMax: 2000 } });
    }
  });

  it("rejects duplicate names, unknown and malformed parents", async () => {
    const name = uniq("dup");
    await newOu(rootId, name);
    expect((await rejection(newOu(rootId, name))).name).toBe("DuplicateOrganizationalUnitException");
    const missing = `ou-${rootId.slice(2)}-zzzzzzzz`;
    expect((await rejection(newOu(missing))).name).toBe("ParentNotFoundException");
    const bad = await rejection(newOu("not-an-id"));
    expect(bad.name).toBe("InvalidInputException");
    expect(bad.Reason).toBe("INVALID_PATTERN");
  });

  it("renames and deletes OUs; a non-empty OU cannot be deleted", async () => {
    const ou = await newOu();
    const renamed = await org.send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ou, Name: uniq("renamed") }));
    expect(renamed.OrganizationalUnit!.Name).toMatch(/^renamed-/);
    const child = await newOu(ou);
    expect((await rejection(org.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou })))).name).toBe(
      "OrganizationalUnitNotEmptyException",
    );
    await org.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: child }));
    await org.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou }));
    expect((await rejection(org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ou })))).name).toBe(
      "OrganizationalUnitNotFoundException",
    );
  });
});

describe("accounts", () => {
  it("creates an account, reports its status and describes it", async () => {
    const r = await org.send(
      new CreateAccountCommand({ AccountName: "billing-dev", Email: "billing-dev@example.com", Tags: [{ Key: "env", Value: "nonprod" }] }),
    );
    expect(r.CreateAccountStatus!.State).toBe("SUCCEEDED");
    const status = await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id! }));
    const id = status.CreateAccountStatus!.AccountId!;
    const a = await org.send(new DescribeAccountCommand({ AccountId: id }));
    expect(a.Account).toMatchObject({
      Id: id,
      Name: "billing-dev",
      Email: "billing-dev@example.com",
      Status: "ACTIVE",
      JoinedMethod: "CREATED",
    });
    expect(a.Account!.JoinedTimestamp).toBeInstanceOf(Date);
    const tags = await org.send(new ListTagsForResourceCommand({ ResourceId: id }));
    expect(tags.Tags).toEqual([{ Key: "env", Value: "nonprod" }]);
    expect(await policiesFor(id)).toEqual(["p-FullAWSAccess"]);
  });

  it("closes an account: it stays in the organization, SUSPENDED; closing it again or the management account is refused", async () => {
    const r = await org.send(new CreateAccountCommand({ AccountName: "to-close", Email: "to-close@example.com" }));
    const id = r.CreateAccountStatus!.AccountId!;
    await org.send(new CloseAccountCommand({ AccountId: id }));
    expect((await org.send(new DescribeAccountCommand({ AccountId: id }))).Account).toMatchObject({ Id: id, Status: "SUSPENDED" });
    expect((await rejection(org.send(new CloseAccountCommand({ AccountId: id })))).name).toBe("AccountAlreadyClosedException");
    const mgmt = (await org.send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId!;
    expect((await rejection(org.send(new CloseAccountCommand({ AccountId: mgmt })))).name).toBe("ConstraintViolationException");
  });

  it("answers AccountNotFound and InvalidInput for unknown and malformed ids", async () => {
    expect((await rejection(org.send(new DescribeAccountCommand({ AccountId: "999999999999" })))).name).toBe("AccountNotFoundException");
    const e = await rejection(org.send(new DescribeAccountCommand({ AccountId: "12345" })));
    expect(e.name).toBe("InvalidInputException");
  });

  it("moves an account and reports the new parent; every wrong move has its own error", async () => {
    const a = await newAccount();
    const ou = await newOu();
    const other = await newOu();
    await org.send(new MoveAccountCommand({ AccountId: a, SourceParentId: rootId, DestinationParentId: ou }));
    const parents = await org.send(new ListParentsCommand({ ChildId: a }));
    expect(parents.Parents).toEqual([{ Id: ou, Type: "ORGANIZATIONAL_UNIT" }]);
    const ouParents = await org.send(new ListParentsCommand({ ChildId: ou }));
    expect(ouParents.Parents).toEqual([{ Id: rootId, Type: "ROOT" }]);

    const again = await rejection(org.send(new MoveAccountCommand({ AccountId: a, SourceParentId: rootId, DestinationParentId: ou })));
    expect(again.name).toBe("DuplicateAccountException");
    const noSrc = await rejection(
      org.send(new MoveAccountCommand({ AccountId: a, SourceParentId: `ou-${rootId.slice(2)}-00000000`, DestinationParentId: other })),
    );
    expect(noSrc.name).toBe("SourceParentNotFoundException");
    const noDst = await rejection(
      org.send(new MoveAccountCommand({ AccountId: a, SourceParentId: ou, DestinationParentId: `ou-${rootId.slice(2)}-00000000` })),
    );
    expect(noDst.name).toBe("DestinationParentNotFoundException");
    const noAcct = await rejection(
      org.send(new MoveAccountCommand({ AccountId: "999999999998", SourceParentId: ou, DestinationParentId: other })),
    );
    expect(noAcct.name).toBe("AccountNotFoundException");
    const wrongSrc = await rejection(
      org.send(new MoveAccountCommand({ AccountId: a, SourceParentId: other, DestinationParentId: rootId })),
    );
    expect(wrongSrc.name).toBe("AccountNotFoundException");
    expect((await rejection(org.send(new ListParentsCommand({ ChildId: "999999999998" })))).name).toBe("ChildNotFoundException");
  });
});

describe("paging", () => {
  let ou: string;
  const accounts: string[] = [];
  const ous: string[] = [];

  beforeAll(async () => {
    ou = await newOu(rootId, "paging");
    for (let i = 0; i < 45; i++) accounts.push(sim.admin.createAccount({ name: `page-${i}`, parentId: ou }).accountId);
    for (let i = 0; i < 23; i++) ous.push(await newOu(ou, `child-${i}`));
  });

  it("pages accounts of a parent with MaxResults up to 20", async () => {
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const p of paginateListAccountsForParent({ client: org, pageSize: 20 }, { ParentId: ou })) {
      pages.push(p.Accounts!.length);
      seen.push(...p.Accounts!.map((a) => a.Id!));
    }
    expect(pages).toEqual([20, 20, 5]);
    expect(seen).toEqual(accounts);
  });

  it("pages OUs, children and the whole account list", async () => {
    const ouPages: string[] = [];
    for await (const p of paginateListOrganizationalUnitsForParent({ client: org, pageSize: 7 }, { ParentId: ou })) {
      ouPages.push(...p.OrganizationalUnits!.map((o) => o.Id!));
    }
    expect(ouPages).toEqual(ous);
    const children: string[] = [];
    for await (const p of paginateListChildren({ client: org, pageSize: 20 }, { ParentId: ou, ChildType: "ACCOUNT" })) {
      children.push(...p.Children!.map((c) => c.Id!));
    }
    expect(children).toEqual(accounts);
    let total = 0;
    let pages = 0;
    for await (const p of paginateListAccounts({ client: org, pageSize: 20 }, {})) {
      total += p.Accounts!.length;
      pages++;
    }
    expect(total).toBe(sim.state.accounts.size);
    expect(pages).toBeGreaterThan(1);
  });

  it("rejects MaxResults outside 1..20 and foreign or forged tokens", async () => {
    const low = await rejection(org.send(new ListAccountsForParentCommand({ ParentId: ou, MaxResults: 0 })));
    expect([low.name, low.Reason]).toEqual(["InvalidInputException", "MIN_VALUE_EXCEEDED"]);
    const high = await rejection(org.send(new ListAccountsForParentCommand({ ParentId: ou, MaxResults: 21 })));
    expect([high.name, high.Reason]).toEqual(["InvalidInputException", "MAX_VALUE_EXCEEDED"]);
    const first = await org.send(new ListAccountsForParentCommand({ ParentId: ou, MaxResults: 5 }));
    const foreign = await rejection(org.send(new ListAccountsCommand({ NextToken: first.NextToken })));
    expect([foreign.name, foreign.Reason]).toEqual(["InvalidInputException", "INVALID_NEXT_TOKEN"]);
    const forged = await rejection(org.send(new ListAccountsForParentCommand({ ParentId: ou, NextToken: "garbage" })));
    expect(forged.Reason).toBe("INVALID_NEXT_TOKEN");
    expect((await rejection(org.send(new ListChildrenCommand({ ParentId: ou, ChildType: "BUCKET" as "ACCOUNT" })))).Reason).toBe(
      "INVALID_ENUM",
    );
  });

  it("can answer an empty last page with a NextToken, deterministically", async () => {
    sim.configure({ trailingEmptyPage: true });
    try {
      const p1 = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ou, MaxResults: 20 }));
      const p2 = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ou, MaxResults: 3, NextToken: p1.NextToken }));
      expect(p2.OrganizationalUnits).toHaveLength(3);
      expect(p2.NextToken).toBeDefined();
      const p3 = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ou, MaxResults: 3, NextToken: p2.NextToken }));
      expect(p3.OrganizationalUnits).toEqual([]);
      expect(p3.NextToken).toBeUndefined();
    } finally {
      sim.configure({ trailingEmptyPage: false });
    }
  });
});

describe("policies", () => {
  it("creates, describes, lists, updates and deletes an SCP", async () => {
    const content = scpDoc("ec2:DeleteVpc");
    const created = await org.send(
      new CreatePolicyCommand({
        Name: "deny-vpc-delete",
        Description: "d",
        Type: SCP,
        Content: content,
        Tags: [{ Key: "parapet:managed", Value: "ws1" }],
      }),
    );
    const s = created.Policy!.PolicySummary!;
    expect(s.Id).toMatch(/^p-[0-9a-z]{8,}$/);
    expect(s.Arn).toBe(`arn:aws:organizations::${sim.state.managementAccountId}:policy/${sim.state.orgId}/service_control_policy/${s.Id}`);
    expect(s.AwsManaged).toBe(false);
    const d = await org.send(new DescribePolicyCommand({ PolicyId: s.Id }));
    expect(d.Policy!.Content).toBe(content);
    expect((await org.send(new ListTagsForResourceCommand({ ResourceId: s.Id }))).Tags).toEqual([{ Key: "parapet:managed", Value: "ws1" }]);

    const listed = await org.send(new ListPoliciesCommand({ Filter: SCP, MaxResults: 20 }));
    const names = listed.Policies!.map((p) => p.Name);
    expect(names).toContain("FullAWSAccess");
    expect(names).toContain("deny-vpc-delete");
    expect(listed.Policies!.find((p) => p.Name === "FullAWSAccess")!.AwsManaged).toBe(true);

    const updated = await org.send(
      new UpdatePolicyCommand({ PolicyId: s.Id, Name: "deny-vpc-delete-v2", Description: "v2", Content: scpDoc("ec2:DeleteSubnet") }),
    );
    expect(updated.Policy!.PolicySummary).toMatchObject({ Name: "deny-vpc-delete-v2", Description: "v2" });
    expect(updated.Policy!.Content).toBe(scpDoc("ec2:DeleteSubnet"));

    await org.send(new DeletePolicyCommand({ PolicyId: s.Id }));
    expect((await rejection(org.send(new DescribePolicyCommand({ PolicyId: s.Id })))).name).toBe("PolicyNotFoundException");
  });

  it("requires a Description (possibly empty) as the API model does", async () => {
    const e = await rejection(org.send(new CreatePolicyCommand({ Name: uniq("nodesc"), Type: SCP, Content: scpDoc() } as never)));
    expect([e.name, e.Reason]).toEqual(["InvalidInputException", "INPUT_REQUIRED"]);
  });

  it("rejects duplicate names on create and on rename", async () => {
    const name = uniq("same");
    await org.send(new CreatePolicyCommand({ Name: name, Description: "", Type: SCP, Content: scpDoc() }));
    expect((await rejection(org.send(new CreatePolicyCommand({ Name: name, Description: "", Type: SCP, Content: scpDoc() })))).name).toBe(
      "DuplicatePolicyException",
    );
    const other = await newPolicy();
    expect((await rejection(org.send(new UpdatePolicyCommand({ PolicyId: other, Name: name })))).name).toBe("DuplicatePolicyException");
  });

  it("rejects malformed documents: bad JSON, not an IAM policy, SCP with Principal, RCP without Principal", async () => {
    const bad = [
      "{not json",
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "s3:*", Resource: "*" }] }),
      JSON.stringify({ Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] }),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Principal: "*", Resource: "*" }] }),
      JSON.stringify(["not", "an", "object"]),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "my-bucket" }] }),
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/a": { b: "c" } } } }],
      }),
    ];
    for (const content of bad) {
      const e = await rejection(org.send(new CreatePolicyCommand({ Name: uniq("bad"), Description: "", Type: SCP, Content: content })));
      expect(e.name).toBe("MalformedPolicyDocumentException");
    }
    const rcpNoPrincipal = await rejection(
      org.send(new CreatePolicyCommand({ Name: uniq("bad"), Description: "", Type: RCP, Content: scpDoc() })),
    );
    expect(rcpNoPrincipal.name).toBe("MalformedPolicyDocumentException");
    const p = await newPolicy();
    expect((await rejection(org.send(new UpdatePolicyCommand({ PolicyId: p, Content: "{" })))).name).toBe(
      "MalformedPolicyDocumentException",
    );
  });

  it("counts the document as sent against the size limit (whitespace included)", async () => {
    const base = scpDoc();
    const exactly = base.slice(0, -1) + " ".repeat(10_240 - base.length) + "}";
    expect(exactly).toHaveLength(10_240);
    await newPolicy(SCP, exactly);
    const over = exactly.slice(0, -1) + " }";
    const e = await rejection(newPolicy(SCP, over));
    expect([e.name, e.Reason]).toEqual(["ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED"]);
    const rcpBase = rcpDoc();
    const rcpOver = rcpBase.slice(0, -1) + " ".repeat(5_121 - rcpBase.length) + "}";
    expect((await rejection(newPolicy(RCP, rcpOver))).Reason).toBe("POLICY_CONTENT_LIMIT_EXCEEDED");
  });

  it("enforces the policies-per-organization limit", async () => {
    sim.configure({ limits: { rcpPerOrg: sim.state.customerPolicies(RCP) + 1 } });
    try {
      await newPolicy(RCP);
      const e = await rejection(newPolicy(RCP));
      expect(e.Reason).toBe("POLICY_NUMBER_LIMIT_EXCEEDED");
    } finally {
      sim.configure({ limits: { rcpPerOrg: 1000 } });
    }
  });

  it("refuses to modify or delete AWS-managed policies and to delete a policy in use", async () => {
    const upd = await rejection(org.send(new UpdatePolicyCommand({ PolicyId: "p-FullAWSAccess", Description: "mine now" })));
    expect([upd.name, upd.Reason]).toEqual(["InvalidInputException", "IMMUTABLE_POLICY"]);
    expect((await rejection(org.send(new DeletePolicyCommand({ PolicyId: "p-FullAWSAccess" })))).Reason).toBe("IMMUTABLE_POLICY");
    const p = await newPolicy();
    const ou = await newOu();
    await org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }));
    expect((await rejection(org.send(new DeletePolicyCommand({ PolicyId: p })))).name).toBe("PolicyInUseException");
    await org.send(new DetachPolicyCommand({ PolicyId: p, TargetId: ou }));
    await org.send(new DeletePolicyCommand({ PolicyId: p }));
    const bad = await rejection(org.send(new DescribePolicyCommand({ PolicyId: "policy-1" })));
    expect(bad.name).toBe("InvalidInputException");
  });
});

describe("attachments", () => {
  it("attaches and detaches, visible from both sides", async () => {
    const p = await newPolicy();
    const ou = await newOu();
    const acct = await newAccount(ou);
    await org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }));
    await org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: acct }));
    expect(await policiesFor(ou)).toEqual(["p-FullAWSAccess", p]);
    expect(await policiesFor(ou, RCP)).toEqual(["p-RCPFullAWSAccess"]);
    const targets = await org.send(new ListTargetsForPolicyCommand({ PolicyId: p }));
    expect(targets.Targets!.map(({ TargetId, Arn, Type }) => ({ TargetId, Arn, Type }))).toEqual([
      {
        TargetId: ou,
        Arn: `arn:aws:organizations::${sim.state.managementAccountId}:ou/${sim.state.orgId}/${ou}`,
        Type: "ORGANIZATIONAL_UNIT",
      },
      {
        TargetId: acct,
        Arn: `arn:aws:organizations::${sim.state.managementAccountId}:account/${sim.state.orgId}/${acct}`,
        Type: "ACCOUNT",
      },
    ]);
    expect(targets.Targets!.map((t) => t.Name)).toEqual([sim.state.ous.get(ou)!.name, sim.state.accounts.get(acct)!.name]);
    await org.send(new DetachPolicyCommand({ PolicyId: p, TargetId: acct }));
    expect((await org.send(new ListTargetsForPolicyCommand({ PolicyId: p }))).Targets!.map((t) => t.TargetId)).toEqual([ou]);
  });

  it("pages the targets of FullAWSAccess across the whole organization", async () => {
    let n = 0;
    for await (const page of paginateListTargetsForPolicy({ client: org, pageSize: 20 }, { PolicyId: "p-FullAWSAccess" }))
      n += page.Targets!.length;
    expect(n).toBe(1 + sim.state.ous.size + sim.state.accounts.size);
  });

  it("answers duplicate attachment, not attached, unknown target/policy and malformed target", async () => {
    const p = await newPolicy();
    const ou = await newOu();
    await org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }));
    expect((await rejection(org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou })))).name).toBe(
      "DuplicatePolicyAttachmentException",
    );
    expect((await rejection(org.send(new DetachPolicyCommand({ PolicyId: p, TargetId: rootId })))).name).toBe("PolicyNotAttachedException");
    expect((await rejection(org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: "999999999997" })))).name).toBe(
      "TargetNotFoundException",
    );
    expect((await rejection(org.send(new AttachPolicyCommand({ PolicyId: "p-zzzzzzzz", TargetId: ou })))).name).toBe(
      "PolicyNotFoundException",
    );
    const bad = await rejection(org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: "arn:aws:whatever" })));
    expect([bad.name, bad.Reason]).toEqual(["InvalidInputException", "INVALID_PATTERN_TARGET_ID"]);
  });

  it("allows 10 SCPs per target including FullAWSAccess, and honours a configured limit", async () => {
    const ou = await newOu();
    for (let i = 0; i < 9; i++) await org.send(new AttachPolicyCommand({ PolicyId: await newPolicy(), TargetId: ou }));
    expect(await policiesFor(ou)).toHaveLength(10);
    const e = await rejection(org.send(new AttachPolicyCommand({ PolicyId: await newPolicy(), TargetId: ou })));
    expect([e.name, e.Reason]).toEqual(["ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"]);

    sim.configure({ limits: { scpPerTarget: 5 } });
    try {
      const small = await newOu();
      for (let i = 0; i < 4; i++) await org.send(new AttachPolicyCommand({ PolicyId: await newPolicy(), TargetId: small }));
      expect((await rejection(org.send(new AttachPolicyCommand({ PolicyId: await newPolicy(), TargetId: small })))).Reason).toBe(
        "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
      );
    } finally {
      sim.configure({ limits: { scpPerTarget: 10 } });
    }
  });

  it("keeps at least one SCP attached: the last one cannot be detached", async () => {
    const acct = await newAccount();
    const last = await rejection(org.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: acct })));
    expect([last.name, last.Reason]).toEqual(["ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"]);
    const p = await newPolicy();
    await org.send(new AttachPolicyCommand({ PolicyId: p, TargetId: acct }));
    await org.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: acct }));
    expect(await policiesFor(acct)).toEqual([p]);
    expect((await rejection(org.send(new DetachPolicyCommand({ PolicyId: p, TargetId: acct })))).Reason).toBe(
      "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    );
  });

  it("attaches RCPs within their own limit and never detaches RCPFullAWSAccess", async () => {
    const ou = await newOu();
    const r = await newPolicy(RCP);
    await org.send(new AttachPolicyCommand({ PolicyId: r, TargetId: ou }));
    expect(await policiesFor(ou, RCP)).toEqual(["p-RCPFullAWSAccess", r]);
    const e = await rejection(org.send(new DetachPolicyCommand({ PolicyId: "p-RCPFullAWSAccess", TargetId: ou })));
    expect([e.name, e.Reason]).toEqual(["InvalidInputException", "NON_DETACHABLE_POLICY"]);
    for (let i = 0; i < 3; i++) await org.send(new AttachPolicyCommand({ PolicyId: await newPolicy(RCP), TargetId: ou }));
    expect((await rejection(org.send(new AttachPolicyCommand({ PolicyId: await newPolicy(RCP), TargetId: ou })))).Reason).toBe(
      "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    );
  });
});

describe("tags", () => {
  it("tags and untags accounts, OUs, the root and policies", async () => {
    const ou = await newOu();
    const acct = await newAccount(ou);
    const p = await newPolicy();
    for (const id of [acct, ou, rootId, p]) {
      await org.send(
        new TagResourceCommand({
          ResourceId: id,
          Tags: [
            { Key: "env", Value: "prod" },
            { Key: "owner", Value: "team-a" },
          ],
        }),
      );
      await org.send(new UntagResourceCommand({ ResourceId: id, TagKeys: ["owner"] }));
      expect((await org.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toEqual([{ Key: "env", Value: "prod" }]);
    }
  });

  it("rejects reserved keys, unknown resources and too many tags", async () => {
    const acct = await newAccount();
    const sys = await rejection(org.send(new TagResourceCommand({ ResourceId: acct, Tags: [{ Key: "aws:foo", Value: "x" }] })));
    expect([sys.name, sys.Reason]).toEqual(["InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER"]);
    expect((await rejection(org.send(new ListTagsForResourceCommand({ ResourceId: "999999999996" })))).name).toBe(
      "TargetNotFoundException",
    );
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const e = await rejection(org.send(new TagResourceCommand({ ResourceId: acct, Tags: many })));
    expect([e.name, e.Reason]).toEqual(["ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED"]);
  });
});

describe("policy types", () => {
  let local: AwsSim;
  let c: OrganizationsClient;
  beforeAll(async () => {
    local = await startAwsSim({ throttle: false });
    c = organizationsClient(local.url, undefined, { maxAttempts: 1 });
  });
  afterAll(async () => {
    c.destroy();
    await local.close();
  });

  it("disabling a type detaches all of its policies; attaching then fails until re-enabled", async () => {
    const root = local.state.root.id;
    const ou = (await c.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: "Prod" }))).OrganizationalUnit!.Id!;
    const p = (await c.send(new CreatePolicyCommand({ Name: "deny", Description: "", Type: SCP, Content: scpDoc() }))).Policy!
      .PolicySummary!.Id!;
    await c.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }));

    const disabled = await c.send(new DisablePolicyTypeCommand({ RootId: root, PolicyType: SCP }));
    expect(disabled.Root!.PolicyTypes!.map((t) => t.Type)).toEqual([RCP]);
    expect((await c.send(new ListTargetsForPolicyCommand({ PolicyId: p }))).Targets).toEqual([]);
    expect((await c.send(new ListTargetsForPolicyCommand({ PolicyId: "p-FullAWSAccess" }))).Targets).toEqual([]);
    expect((await rejection(c.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou })))).name).toBe("PolicyTypeNotEnabledException");
    expect((await rejection(c.send(new DisablePolicyTypeCommand({ RootId: root, PolicyType: SCP })))).name).toBe(
      "PolicyTypeNotEnabledException",
    );

    const enabled = await c.send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: SCP }));
    expect(enabled.Root!.PolicyTypes!.map((t) => t.Type).sort()).toEqual([RCP, SCP]);
    expect((await c.send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: SCP }))).Policies!.map((x) => x.Id)).toEqual([
      "p-FullAWSAccess",
    ]);
    expect((await rejection(c.send(new EnablePolicyTypeCommand({ RootId: root, PolicyType: SCP })))).name).toBe(
      "PolicyTypeAlreadyEnabledException",
    );
  });

  it("answers unknown roots, invalid and unavailable policy types", async () => {
    expect((await rejection(c.send(new EnablePolicyTypeCommand({ RootId: "r-zzzz", PolicyType: SCP })))).name).toBe(
      "RootNotFoundException",
    );
    const bad = await rejection(c.send(new EnablePolicyTypeCommand({ RootId: local.state.root.id, PolicyType: "NOPE" as PolicyType })));
    expect([bad.name, bad.Reason]).toEqual(["InvalidInputException", "INVALID_ENUM_POLICY_TYPE"]);
    const tag = await rejection(c.send(new EnablePolicyTypeCommand({ RootId: local.state.root.id, PolicyType: "TAG_POLICY" })));
    expect(tag.name).toBe("PolicyTypeNotAvailableForOrganizationException");
  });

  it("lists children of the root by type", async () => {
    const root = local.state.root.id;
    const ous = await c.send(new ListChildrenCommand({ ParentId: root, ChildType: "ORGANIZATIONAL_UNIT" }));
    expect(ous.Children!.every((ch) => ch.Type === "ORGANIZATIONAL_UNIT")).toBe(true);
    const accts = await c.send(new ListChildrenCommand({ ParentId: root, ChildType: "ACCOUNT" }));
    expect(accts.Children).toEqual([{ Id: local.state.managementAccountId, Type: "ACCOUNT" }]);
  });
});

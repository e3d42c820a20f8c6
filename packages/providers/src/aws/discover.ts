import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  type Account,
  type Root,
} from "@aws-sdk/client-organizations";
import { mapLimit } from "../common/concurrency.ts";
import { ProviderError } from "../contract/errors.ts";
import type { DiscoveredNode, Hierarchy, NodeRead } from "../contract/types.ts";
import { isCode, type AwsContext } from "./context.ts";

const INACTIVE_ACCOUNT_STATES = new Set(["SUSPENDED", "PENDING_CLOSURE", "CLOSED"]);

/** What discovery reads of an account; the SDK's whole objects (ARN, email, dates) are not kept for 100,000 accounts. */
type AccountFacts = Pick<Account, "Id" | "Name" | "State" | "Status" | "Paths">;
const accountFacts = (a: Account): AccountFacts => ({
  Id: a.Id,
  Name: a.Name,
  State: a.State,
  Status: a.Status,
  Paths: a.Paths?.slice(0, 1),
});

/**
 * The whole organization. OUs: ListOrganizationalUnitsForParent per root/OU (there is no flat OU
 * listing). Accounts: one flat ListAccounts scan, placed by the `Paths` each account carries —
 * ⌈accounts/20⌉ calls instead of at least one ListAccountsForParent per container (2,000 OUs would
 * cost ≥ 2,001 calls) or ListParents per account (10,000). When an account arrives without a path
 * (older API behaviour, or it moved into an OU created after the OU walk) discovery falls back to
 * ListAccountsForParent per container. Labels need ListTagsForResource per node: with 10,000
 * accounts that is the dominant cost, so it runs `concurrency` wide, paced below AWS's rate limit.
 * A failed tag read fails discovery: silently empty labels would move accounts out of label scopes.
 */
export async function discoverAws(ctx: AwsContext): Promise<Hierarchy> {
  const org = ctx.clients.org;
  const roots = await ctx.paged<Root>("ListRoots", async (NextToken) => {
    const r = await org.send(new ListRootsCommand({ MaxResults: ctx.pageSize, NextToken }));
    return { items: r.Roots, next: r.NextToken };
  });
  const root = roots[0];
  if (!root?.Id) throw new ProviderError("invalid", "The organization has no root.", false, "ListRoots", "NO_ROOT");
  const nodes: DiscoveredNode[] = [
    { externalId: root.Id, kind: "root", name: root.Name ?? "Root", parentExternalId: null, isEnvironment: false, labels: {} },
  ];
  const containers = new Set<string>([root.Id]);

  let level = [root.Id];
  while (level.length) {
    const children = await mapLimit(level, ctx.concurrency, (parentId) =>
      ctx.paged("ListOrganizationalUnitsForParent", async (NextToken) => {
        const r = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults: ctx.pageSize, NextToken }));
        return { items: (r.OrganizationalUnits ?? []).map((ou) => ({ ou, parentId })), next: r.NextToken };
      }),
    );
    level = [];
    for (const { ou, parentId } of children.flat()) {
      if (!ou.Id || containers.has(ou.Id)) continue;
      containers.add(ou.Id);
      level.push(ou.Id);
      nodes.push({ externalId: ou.Id, kind: "ou", name: ou.Name ?? ou.Id, parentExternalId: parentId, isEnvironment: false, labels: {} });
    }
  }

  const accounts = await ctx.paged<AccountFacts>("ListAccounts", async (NextToken) => {
    const r = await org.send(new ListAccountsCommand({ MaxResults: ctx.pageSize, NextToken }));
    return { items: r.Accounts?.map(accountFacts), next: r.NextToken };
  });
  const parentOf = new Map<string, string>();
  let placed = true;
  for (const a of accounts) {
    const parent = a.Id ? parentFromPaths(a.Paths, a.Id) : undefined;
    if (!a.Id || !parent || !containers.has(parent)) {
      placed = false;
      break;
    }
    parentOf.set(a.Id, parent);
  }
  let accountList = accounts;
  if (!placed) {
    parentOf.clear();
    const perParent = await mapLimit([...containers], ctx.concurrency, (parentId) =>
      ctx.paged("ListAccountsForParent", async (NextToken) => {
        const r = await org.send(new ListAccountsForParentCommand({ ParentId: parentId, MaxResults: ctx.pageSize, NextToken }));
        return { items: (r.Accounts ?? []).map((a) => ({ a: accountFacts(a), parentId })), next: r.NextToken };
      }),
    );
    accountList = [];
    for (const { a, parentId } of perParent.flat()) {
      if (!a.Id || parentOf.has(a.Id)) continue;
      parentOf.set(a.Id, parentId);
      accountList.push(a);
    }
  }
  const seenAccounts = new Set<string>();
  for (const a of accountList) {
    const parent = a.Id ? parentOf.get(a.Id) : undefined;
    if (!a.Id || !parent || seenAccounts.has(a.Id)) continue;
    seenAccounts.add(a.Id);
    const state = a.State ?? a.Status ?? "ACTIVE";
    nodes.push({
      externalId: a.Id,
      kind: "account",
      name: a.Name ?? a.Id,
      parentExternalId: parent,
      // Suspended and closing accounts run nothing; counting them as uncovered environments would be noise.
      isEnvironment: !INACTIVE_ACCOUNT_STATES.has(state),
      labels: {},
    });
  }

  await mapLimit(nodes, ctx.concurrency, async (n) => {
    n.labels = await ctx.listTags(n.externalId);
  });
  return { rootExternalId: root.Id, nodes };
}

/** `o-…/r-…/ou-…/ou-…/<account>/` → the last container before the account itself. */
export function parentFromPaths(paths: string[] | undefined, accountId: string): string | undefined {
  const path = paths?.[0];
  if (!path) return undefined;
  const parts = path.split("/").filter((p) => p !== "");
  if (parts[parts.length - 1] !== accountId || parts.length < 3) return undefined;
  return parts[parts.length - 2];
}

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
/** Answers that mean "not in this organization" (AWS answers them for ids of other organizations too). */
const GONE = ["AccountNotFoundException", "OrganizationalUnitNotFoundException", "ChildNotFoundException", "TargetNotFoundException"];

/**
 * Targeted discovery for cloud events: only the nodes named, each with what a full sweep would record.
 * Account: DescribeAccount (name, status and — where AWS returns it, as ListAccounts does — the path, which
 * names the parent) + ListParents only when no path came back + ListTagsForResource. OU:
 * DescribeOrganizationalUnit + ListParents + ListTagsForResource. Root: ListRoots + ListTagsForResource.
 * Every read goes through the management account's own credentials, and Organizations answers
 * AccountNotFound / OrganizationalUnitNotFound for ids outside its organization, so an event naming a
 * foreign account reads as `null` and can never add a node. Ids of no AWS shape read as `null` unread.
 */
export async function discoverAwsNodes(ctx: AwsContext, externalIds: readonly string[]): Promise<NodeRead[]> {
  const org = ctx.clients.org;
  let root: Root | undefined;
  const rootOnce = async () => {
    root ??= (
      await ctx.paged<Root>("ListRoots", async (NextToken) => {
        const r = await org.send(new ListRootsCommand({ MaxResults: ctx.pageSize, NextToken }));
        return { items: r.Roots, next: r.NextToken };
      })
    )[0];
    return root;
  };
  const parentOf = async (childId: string): Promise<string | undefined> => {
    const parents = await ctx.paged("ListParents", async (NextToken) => {
      const r = await org.send(new ListParentsCommand({ ChildId: childId, MaxResults: ctx.pageSize, NextToken }));
      return { items: r.Parents, next: r.NextToken };
    });
    return parents[0]?.Id;
  };
  const read = async (id: string): Promise<DiscoveredNode | null> => {
    if (ROOT_ID.test(id)) {
      const r = await rootOnce();
      if (!r?.Id || r.Id !== id) return null;
      return {
        externalId: id,
        kind: "root",
        name: r.Name ?? "Root",
        parentExternalId: null,
        isEnvironment: false,
        labels: await ctx.listTags(id),
      };
    }
    if (OU_ID.test(id)) {
      const r = await ctx.call("DescribeOrganizationalUnit", false, () =>
        org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id })),
      );
      const [parent, labels] = await Promise.all([parentOf(id), ctx.listTags(id)]);
      if (!parent) return null;
      return { externalId: id, kind: "ou", name: r.OrganizationalUnit?.Name ?? id, parentExternalId: parent, isEnvironment: false, labels };
    }
    if (ACCOUNT_ID.test(id)) {
      const r = await ctx.call("DescribeAccount", false, () => org.send(new DescribeAccountCommand({ AccountId: id })));
      const a = r.Account;
      if (!a) return null;
      const [parent, labels] = await Promise.all([parentFromPaths(a.Paths, id) ?? parentOf(id), ctx.listTags(id)]);
      if (!parent) return null;
      const state = a.State ?? a.Status ?? "ACTIVE";
      return {
        externalId: id,
        kind: "account",
        name: a.Name ?? id,
        parentExternalId: parent,
        isEnvironment: !INACTIVE_ACCOUNT_STATES.has(state),
        labels,
      };
    }
    return null;
  };
  return mapLimit([...new Set(externalIds)], ctx.concurrency, async (externalId) => {
    try {
      return { externalId, node: await read(externalId) };
    } catch (e) {
      if (isCode(e, ...GONE)) return { externalId, node: null };
      throw e;
    }
  });
}

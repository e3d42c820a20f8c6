import { E } from "./errors.ts";
import { RE } from "./ids.ts";
import { type OpDef, optString, reqString, reqId, PARENT_RES, name, tagsIn, page, read, write } from "./organizations-api-common.ts";
import { rootOut, ouOut, accountOut, organizationOut, mustParent, createAccountStatusOut } from "./organizations-api-shapes.ts";

/** The organization, roots, OUs and accounts: describe, list, create, update, delete, move. */
export const HIERARCHY_OPERATIONS: Record<string, OpDef> = {
  DescribeOrganization: read(({ state }) => ({ output: { Organization: organizationOut(state) } })),

  ListRoots: read((ctx, input) => {
    const r = page(ctx, "ListRoots", "", input, [ctx.state.root.id], () => rootOut(ctx.state));
    return { output: { Roots: r.items, NextToken: r.NextToken } };
  }),

  ListOrganizationalUnitsForParent: read((ctx, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const parent = mustParent(ctx.state, parentId);
    const r = page(ctx, "ListOrganizationalUnitsForParent", parentId, input, parent.ous.toArray(), (id) => {
      const o = ctx.state.ous.get(id);
      return o && ouOut(ctx.state, o);
    });
    return { output: { OrganizationalUnits: r.items, NextToken: r.NextToken } };
  }),

  ListAccountsForParent: read((ctx, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const parent = mustParent(ctx.state, parentId);
    const r = page(ctx, "ListAccountsForParent", parentId, input, parent.accounts.toArray(), (id) => {
      const a = ctx.state.accounts.get(id);
      return a && accountOut(ctx.state, a);
    });
    return { output: { Accounts: r.items, NextToken: r.NextToken } };
  }),

  ListAccounts: read((ctx, input) => {
    const r = page(ctx, "ListAccounts", "", input, ctx.state.allAccounts.toArray(), (id) => {
      const a = ctx.state.accounts.get(id);
      return a && accountOut(ctx.state, a);
    });
    return { output: { Accounts: r.items, NextToken: r.NextToken } };
  }),

  ListChildren: read((ctx, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const childType = reqString(input, "ChildType", 64);
    if (childType !== "ACCOUNT" && childType !== "ORGANIZATIONAL_UNIT") {
      throw E.invalidInput("INVALID_ENUM", `You specified an invalid value for ChildType: ${childType}.`);
    }
    const parent = mustParent(ctx.state, parentId);
    const list = childType === "ACCOUNT" ? parent.accounts : parent.ous;
    const r = page(ctx, "ListChildren", `${parentId}/${childType}`, input, list.toArray(), (id) => ({ Id: id, Type: childType }));
    return { output: { Children: r.items, NextToken: r.NextToken } };
  }),

  ListParents: read((ctx, input) => {
    const childId = reqId(input, "ChildId", [RE.account, RE.ou]);
    const child = ctx.state.accounts.get(childId) ?? ctx.state.ous.get(childId);
    if (!child) throw E.childNotFound(childId);
    const parent = ctx.state.container(child.parentId)!;
    const r = page(ctx, "ListParents", childId, input, [parent.id], (id) => ({ Id: id, Type: parent.kind }));
    return { output: { Parents: r.items, NextToken: r.NextToken } };
  }),

  DescribeAccount: read(({ state }, input) => {
    const id = reqId(input, "AccountId", RE.account);
    const a = state.accounts.get(id);
    if (!a) throw E.accountNotFound(id);
    return { output: { Account: accountOut(state, a) } };
  }),

  DescribeOrganizationalUnit: read(({ state }, input) => {
    const id = reqId(input, "OrganizationalUnitId", RE.ou);
    const o = state.ous.get(id);
    if (!o) throw E.ouNotFound(id);
    return { output: { OrganizationalUnit: ouOut(state, o) } };
  }),

  CreateOrganizationalUnit: write(({ state }, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const n = name(input, "Name", 128);
    const tags = tagsIn(input);
    const ou = state.createOu(parentId, n, tags);
    const out = ouOut(state, ou);
    return { output: { OrganizationalUnit: out }, responseElements: { organizationalUnit: { id: ou.id, arn: out.Arn, name: ou.name } } };
  }),

  UpdateOrganizationalUnit: write(({ state }, input) => {
    const id = reqId(input, "OrganizationalUnitId", RE.ou);
    const n = optString(input, "Name", 128);
    const o = n === undefined ? state.ous.get(id) : state.renameOu(id, n);
    if (!o) throw E.ouNotFound(id);
    return { output: { OrganizationalUnit: ouOut(state, o) }, responseElements: null };
  }),

  DeleteOrganizationalUnit: write(({ state }, input) => {
    const id = reqId(input, "OrganizationalUnitId", RE.ou);
    state.deleteOu(id);
    return { output: {}, responseElements: null };
  }),

  MoveAccount: write(({ state }, input) => {
    const accountId = reqId(input, "AccountId", RE.account);
    const src = reqId(input, "SourceParentId", PARENT_RES);
    const dst = reqId(input, "DestinationParentId", PARENT_RES);
    state.moveAccount(accountId, src, dst);
    return { output: {}, responseElements: null };
  }),

  CloseAccount: write(({ state }, input) => {
    const accountId = reqId(input, "AccountId", RE.account);
    state.closeAccount(accountId);
    return { output: {}, responseElements: null };
  }),

  CreateAccount: write(({ state }, input) => {
    const email = reqString(input, "Email", 64);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw E.invalidInput("INVALID_EMAIL_ADDRESS_TARGET", `The email address is not valid: ${email}`);
    const accountName = name(input, "AccountName", 50);
    const tags = tagsIn(input);
    const a = state.createAccount({ name: accountName, email, tags });
    const status = {
      id: state.ids.createAccountRequest(),
      accountName,
      accountId: a.id,
      requestedAt: a.joinedAt,
      completedAt: a.joinedAt,
    };
    state.createAccountStatuses.set(status.id, status);
    return {
      output: { CreateAccountStatus: createAccountStatusOut(status) },
      responseElements: { createAccountStatus: { id: status.id, state: "IN_PROGRESS", accountName } },
    };
  }),

  DescribeCreateAccountStatus: read(({ state }, input) => {
    const id = reqId(input, "CreateAccountRequestId", RE.createAccountRequest);
    const s = state.createAccountStatuses.get(id);
    if (!s) throw E.createAccountStatusNotFound(id);
    return { output: { CreateAccountStatus: createAccountStatusOut(s) } };
  }),
};

import { AwsError, E } from "./errors.ts";
import { IdSet } from "./id-set.ts";
import { MANAGED_FULL, type AccountRec, type OuRec, type Tags, type TargetRec } from "./org-model.ts";
import { OrgCore } from "./org-core.ts";

/** OUs and accounts: create, rename, delete, move, and the default policy attachments new ones get. */
export class OrgHierarchy extends OrgCore {
  // ---- hierarchy mutations ------------------------------------------------------------------------------

  createOu(parentId: string, name: string, tags: Tags = new Map(), id?: string): OuRec {
    const parent = this.container(parentId);
    if (!parent) throw E.parentNotFound(parentId);
    const depth = parent.kind === "ROOT" ? 1 : parent.depth + 1;
    if (depth > this.limits.ouDepth) {
      throw E.constraint(
        "OU_DEPTH_LIMIT_EXCEEDED",
        `You attempted to create an OU tree that is too many levels deep (maximum ${this.limits.ouDepth}).`,
      );
    }
    if (this.ous.size >= this.limits.ouMax) {
      throw E.constraint(
        "OU_NUMBER_LIMIT_EXCEEDED",
        `You attempted to exceed the number of OUs that you can have in an organization (${this.limits.ouMax}).`,
      );
    }
    for (const sib of parent.ous) if (this.ous.get(sib)?.name === name) throw E.duplicateOu(name);
    this.checkTagCount(tags.size);
    const ou: OuRec = {
      kind: "ORGANIZATIONAL_UNIT",
      id: id ?? this.ids.ou(this.root.id),
      name,
      parentId,
      depth,
      ous: new IdSet(),
      accounts: new IdSet(),
      policies: new IdSet(),
      tags: new Map(tags),
    };
    this.ous.set(ou.id, ou);
    parent.ous.add(ou.id);
    this.attachDefaults(ou);
    return ou;
  }

  renameOu(id: string, name: string): OuRec {
    const ou = this.ous.get(id);
    if (!ou) throw E.ouNotFound(id);
    const parent = this.container(ou.parentId)!;
    for (const sib of parent.ous) if (sib !== id && this.ous.get(sib)?.name === name) throw E.duplicateOu(name);
    ou.name = name;
    return ou;
  }

  deleteOu(id: string): void {
    const ou = this.ous.get(id);
    if (!ou) throw E.ouNotFound(id);
    if (ou.ous.size || ou.accounts.size) throw E.ouNotEmpty(id);
    for (const pid of ou.policies) this.policies.get(pid)?.targets.delete(id);
    this.container(ou.parentId)?.ous.delete(id);
    this.ous.delete(id);
  }

  createAccount(a: {
    name: string;
    email: string;
    parentId?: string;
    tags?: Tags;
    id?: string;
    joinedMethod?: "CREATED" | "INVITED";
  }): AccountRec {
    const parentId = a.parentId ?? this.root.id;
    const parent = this.container(parentId);
    if (!parent) throw E.parentNotFound(parentId);
    if (this.accounts.size >= this.limits.accountsMax) {
      throw E.constraint(
        "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
        `You attempted to exceed the number of accounts in the organization (${this.limits.accountsMax}).`,
      );
    }
    const tags = a.tags ?? new Map<string, string>();
    this.checkTagCount(tags.size);
    const acct: AccountRec = {
      kind: "ACCOUNT",
      id: a.id ?? this.ids.account(),
      name: a.name,
      email: a.email,
      parentId,
      joinedMethod: a.joinedMethod ?? "CREATED",
      joinedAt: this.now(),
      policies: new IdSet(),
      tags: new Map(tags),
    };
    this.accounts.set(acct.id, acct);
    this.allAccounts.add(acct.id);
    parent.accounts.add(acct.id);
    this.attachDefaults(acct);
    return acct;
  }

  moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): AccountRec {
    const acct = this.accounts.get(accountId);
    if (!acct) throw E.accountNotFound(accountId);
    const src = this.container(sourceParentId);
    if (!src) throw E.sourceParentNotFound(sourceParentId);
    const dst = this.container(destinationParentId);
    if (!dst) throw E.destinationParentNotFound(destinationParentId);
    if (acct.parentId !== sourceParentId) {
      if (acct.parentId === destinationParentId) throw E.duplicateAccount();
      throw E.accountNotFound(accountId);
    }
    if (sourceParentId === destinationParentId) throw E.duplicateAccount();
    src.accounts.delete(accountId);
    dst.accounts.add(accountId);
    acct.parentId = destinationParentId;
    return acct;
  }

  /**
   * CloseAccount: the account stays in the organization, suspended (AWS keeps a closed member account for
   * 90 days, first PENDING_CLOSURE, then SUSPENDED). The management account cannot be closed this way.
   */
  closeAccount(accountId: string): AccountRec {
    const acct = this.accounts.get(accountId);
    if (!acct) throw E.accountNotFound(accountId);
    if (accountId === this.managementAccountId)
      throw E.constraint("CLOSE_ACCOUNT_QUOTA_EXCEEDED", "You can't close the management account with CloseAccount.");
    if (acct.status === "SUSPENDED") throw new AwsError("AccountAlreadyClosedException", `The account ${accountId} is already closed.`);
    acct.status = "SUSPENDED";
    return acct;
  }

  /** Attaches the AWS-managed full-access policy of every enabled type, as AWS does for new OUs and accounts. */
  private attachDefaults(t: TargetRec): void {
    for (const type of this.root.policyTypes) this.link(MANAGED_FULL[type], t);
  }

  protected link(policyId: string, t: TargetRec): void {
    t.policies.add(policyId);
    this.policies.get(policyId)!.targets.add(t.id);
  }

  protected unlink(policyId: string, t: TargetRec): void {
    t.policies.delete(policyId);
    this.policies.get(policyId)?.targets.delete(t.id);
  }

  *allTargets(): Generator<TargetRec> {
    yield this.root;
    yield* this.ous.values();
    yield* this.accounts.values();
  }
}

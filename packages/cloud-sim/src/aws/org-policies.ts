import { E } from "./errors.ts";
import { IdSet } from "./id-set.ts";
import { RCP_FULL_AWS_ACCESS_ID, MANAGED_FULL, type PolicyRec, type RootRec, type Tags, type TargetRec } from "./org-model.ts";
import { OrgHierarchy } from "./org-hierarchy.ts";
import { validatePolicyDocument, type PolicyType } from "./policy-doc.ts";

/** Policy types (enable/disable), customer policies (SCPs, RCPs) and their attachments, with their quotas. */
export class OrgPolicies extends OrgHierarchy {
  // ---- policy types -------------------------------------------------------------------------------------

  enablePolicyType(rootId: string, type: PolicyType): RootRec {
    if (rootId !== this.root.id) throw E.rootNotFound(rootId);
    if (this.root.policyTypes.has(type)) throw E.policyTypeAlreadyEnabled(type);
    this.root.policyTypes.add(type);
    const managed = MANAGED_FULL[type];
    for (const t of this.allTargets()) this.link(managed, t);
    return this.root;
  }

  /** Disabling a type detaches every policy of that type from every target, as AWS does. */
  disablePolicyType(rootId: string, type: PolicyType): RootRec {
    if (rootId !== this.root.id) throw E.rootNotFound(rootId);
    if (!this.root.policyTypes.has(type)) throw E.policyTypeNotEnabled(type);
    this.root.policyTypes.delete(type);
    for (const pid of this.policiesOfType(type)) {
      const p = this.policies.get(pid)!;
      for (const tid of [...p.targets]) {
        const t = this.target(tid);
        if (t) t.policies.delete(pid);
      }
      p.targets = new IdSet();
    }
    return this.root;
  }

  // ---- policies -----------------------------------------------------------------------------------------

  private checkContent(content: string, type: PolicyType): void {
    const max = type === "SERVICE_CONTROL_POLICY" ? this.limits.scpMaxChars : this.limits.rcpMaxChars;
    if (content.length > max) {
      throw E.constraint(
        "POLICY_CONTENT_LIMIT_EXCEEDED",
        `You attempted to create a policy with too many characters (${content.length} > ${max}).`,
      );
    }
    validatePolicyDocument(content, type);
  }

  createPolicy(p: { name: string; description?: string; type: PolicyType; content: string; tags?: Tags; id?: string }): PolicyRec {
    const max = p.type === "SERVICE_CONTROL_POLICY" ? this.limits.scpPerOrg : this.limits.rcpPerOrg;
    if (this.customerPolicies(p.type) >= max) {
      throw E.constraint("POLICY_NUMBER_LIMIT_EXCEEDED", `You attempted to exceed the number of policies of type ${p.type} (${max}).`);
    }
    if (this.policyNames.get(p.type)!.has(p.name)) throw E.duplicatePolicy(p.name);
    this.checkContent(p.content, p.type);
    const tags = p.tags ?? new Map<string, string>();
    this.checkTagCount(tags.size);
    const rec: PolicyRec = {
      id: p.id ?? this.ids.policy(),
      name: p.name,
      description: p.description ?? "",
      type: p.type,
      content: p.content,
      awsManaged: false,
      targets: new IdSet(),
      tags: new Map(tags),
    };
    this.insertPolicy(rec);
    return rec;
  }

  private customerPolicy(id: string): PolicyRec {
    const p = this.policies.get(id);
    if (!p) throw E.policyNotFound(id);
    if (p.awsManaged)
      throw E.invalidInput("IMMUTABLE_POLICY", `You specified a policy that is managed by AWS and can't be modified: ${id}`);
    return p;
  }

  updatePolicy(id: string, u: { name?: string; description?: string; content?: string }): PolicyRec {
    const p = this.customerPolicy(id);
    if (u.name !== undefined && u.name !== p.name && this.policyNames.get(p.type)!.has(u.name)) throw E.duplicatePolicy(u.name);
    if (u.content !== undefined) this.checkContent(u.content, p.type);
    if (u.name !== undefined && u.name !== p.name) {
      this.policyNames.get(p.type)!.delete(p.name);
      this.policyNames.get(p.type)!.set(u.name, p.id);
      p.name = u.name;
    }
    if (u.description !== undefined) p.description = u.description;
    if (u.content !== undefined) p.content = u.content;
    return p;
  }

  deletePolicy(id: string): PolicyRec {
    const p = this.customerPolicy(id);
    if (p.targets.size) throw E.policyInUse(id);
    this.policies.delete(id);
    this.policiesByType.get(p.type)!.delete(id);
    this.policyNames.get(p.type)!.delete(p.name);
    this.customerPolicyCount.set(p.type, this.customerPolicyCount.get(p.type)! - 1);
    return p;
  }

  attachPolicy(policyId: string, targetId: string): { policy: PolicyRec; target: TargetRec } {
    const p = this.policies.get(policyId);
    if (!p) throw E.policyNotFound(policyId);
    const t = this.target(targetId);
    if (!t) throw E.targetNotFound(targetId);
    if (!this.root.policyTypes.has(p.type)) throw E.policyTypeNotEnabled(p.type);
    if (t.policies.has(policyId)) throw E.duplicateAttachment(policyId, targetId);
    const max = p.type === "SERVICE_CONTROL_POLICY" ? this.limits.scpPerTarget : this.limits.rcpPerTarget;
    if (this.attachedCount(t, p.type) >= max) {
      throw E.constraint(
        "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
        `You attempted to attach more than ${max} policies of type ${p.type} to the entity ${targetId}.`,
      );
    }
    this.link(policyId, t);
    return { policy: p, target: t };
  }

  detachPolicy(policyId: string, targetId: string): { policy: PolicyRec; target: TargetRec } {
    const p = this.policies.get(policyId);
    if (!p) throw E.policyNotFound(policyId);
    const t = this.target(targetId);
    if (!t) throw E.targetNotFound(targetId);
    if (!this.root.policyTypes.has(p.type)) throw E.policyTypeNotEnabled(p.type);
    if (!t.policies.has(policyId)) throw E.notAttached(policyId, targetId);
    if (policyId === RCP_FULL_AWS_ACCESS_ID) {
      throw E.invalidInput(
        "NON_DETACHABLE_POLICY",
        "You can't detach the RCPFullAWSAccess policy; it is attached to every root, OU and account while RCPs are enabled.",
      );
    }
    // DetachPolicy: "Every root, OU, and account must have at least one SCP attached"; refused with
    // ConstraintViolationException, Reason MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED
    // (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html).
    if (p.type === "SERVICE_CONTROL_POLICY" && this.attachedCount(t, p.type) <= 1) {
      throw E.constraint(
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
        `You attempted to detach the last service control policy from ${targetId}; at least one must remain attached.`,
      );
    }
    this.unlink(policyId, t);
    return { policy: p, target: t };
  }
}

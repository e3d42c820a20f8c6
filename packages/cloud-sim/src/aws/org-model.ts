import type { PolicyType } from "./policy-doc.ts";
import type { IdSet } from "./id-set.ts";

/** Quotas the simulator enforces; defaults are AWS Organizations' published quotas (SCP quotas as raised in May 2026; RCPs per the Organizations quotas page). */
export interface AwsLimits {
  /** SCPs attached per root/OU/account, FullAWSAccess included. */
  scpPerTarget: number;
  /** RCPs attached per root/OU/account, RCPFullAWSAccess included. */
  rcpPerTarget: number;
  /** Characters per SCP document as sent. */
  scpMaxChars: number;
  rcpMaxChars: number;
  /** Customer-managed policies per organization. */
  scpPerOrg: number;
  rcpPerOrg: number;
  ouMax: number;
  ouDepth: number;
  tagsPerResource: number;
  accountsMax: number;
}

export const DEFAULT_LIMITS: AwsLimits = {
  scpPerTarget: 10,
  rcpPerTarget: 5,
  scpMaxChars: 10_240,
  rcpMaxChars: 5_120,
  scpPerOrg: 10_000,
  rcpPerOrg: 1_000,
  ouMax: 2_000,
  ouDepth: 5,
  tagsPerResource: 50,
  accountsMax: 100_000,
};

export type Tags = Map<string, string>;

export interface RootRec {
  kind: "ROOT";
  id: string;
  name: string;
  ous: IdSet;
  accounts: IdSet;
  policies: IdSet;
  tags: Tags;
  policyTypes: Set<PolicyType>;
}

export interface OuRec {
  kind: "ORGANIZATIONAL_UNIT";
  id: string;
  name: string;
  parentId: string;
  /** 1 for a child of the root. */
  depth: number;
  ous: IdSet;
  accounts: IdSet;
  policies: IdSet;
  tags: Tags;
}

export interface AccountRec {
  kind: "ACCOUNT";
  id: string;
  name: string;
  email: string;
  parentId: string;
  joinedMethod: "CREATED" | "INVITED";
  /** epoch ms */
  joinedAt: number;
  /** CloseAccount makes it SUSPENDED (AWS passes through PENDING_CLOSURE first; the simulator does not wait). */
  status?: "ACTIVE" | "SUSPENDED";
  policies: IdSet;
  tags: Tags;
}

export interface PolicyRec {
  id: string;
  name: string;
  description: string;
  type: PolicyType;
  content: string;
  awsManaged: boolean;
  targets: IdSet;
  tags: Tags;
}

export interface CreateAccountStatusRec {
  id: string;
  accountName: string;
  accountId: string;
  requestedAt: number;
  completedAt: number;
}

export type ContainerRec = RootRec | OuRec;
export type TargetRec = RootRec | OuRec | AccountRec;

export const FULL_AWS_ACCESS_ID = "p-FullAWSAccess";
export const RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess";
export const MANAGED_FULL: Record<PolicyType, string> = {
  SERVICE_CONTROL_POLICY: FULL_AWS_ACCESS_ID,
  RESOURCE_CONTROL_POLICY: RCP_FULL_AWS_ACCESS_ID,
};

export const TYPE_ARN_SEGMENT: Record<PolicyType, string> = {
  SERVICE_CONTROL_POLICY: "service_control_policy",
  RESOURCE_CONTROL_POLICY: "resource_control_policy",
};

export interface OrgInit {
  rand: () => number;
  managementAccountId?: string;
  managementAccountName?: string;
  managementEmail?: string;
  limits?: Partial<AwsLimits>;
  /** Policy types enabled in the root at creation (default both), which attaches their AWS-managed policy everywhere. */
  enabledPolicyTypes?: PolicyType[];
  now?: () => number;
  /** Fixed ids, used when restoring a saved organization. */
  orgId?: string;
  rootId?: string;
  /** Restoring adds the management account from the snapshot instead. */
  skipManagementAccount?: boolean;
}

export interface OrgSnapshot {
  orgId: string;
  rootId: string;
  managementAccountId: string;
  limits: AwsLimits;
  policyTypes: PolicyType[];
  rootTags?: Record<string, string>;
  ous: Array<{ id: string; name: string; parentId: string; tags?: Record<string, string> }>;
  accounts: Array<{
    id: string;
    name: string;
    email: string;
    parentId: string;
    joinedMethod: "CREATED" | "INVITED";
    joinedAt: number;
    status?: "ACTIVE" | "SUSPENDED";
    tags?: Record<string, string>;
  }>;
  policies: Array<{ id: string; name: string; description: string; type: PolicyType; content: string; tags?: Record<string, string> }>;
  attachments: Array<[string, string[]]>;
}

import { createHash, randomUUID } from "node:crypto";

/** Lifecycle state of organizations, folders and projects (Resource Manager v3 `State`). */
export type LifecycleState = "ACTIVE" | "DELETE_REQUESTED";

export interface Organization {
  id: string;
  displayName: string;
  directoryCustomerId: string;
  createTime: string;
  updateTime: string;
  etag: string;
}

export interface Folder {
  id: string;
  /** `organizations/{id}` or `folders/{id}`. */
  parent: string;
  displayName: string;
  state: LifecycleState;
  createTime: string;
  updateTime: string;
  etag: string;
}

export interface Project {
  number: string;
  projectId: string;
  parent: string;
  displayName: string;
  labels: Record<string, string>;
  state: LifecycleState;
  createTime: string;
  updateTime: string;
  etag: string;
}

export interface Expr {
  expression?: string;
  title?: string;
  description?: string;
  location?: string;
}

export interface PolicyRule {
  values?: { allowedValues?: string[]; deniedValues?: string[] };
  allowAll?: boolean;
  denyAll?: boolean;
  enforce?: boolean;
  condition?: Expr;
}

export interface PolicySpec {
  etag: string;
  updateTime: string;
  rules: PolicyRule[];
  inheritFromParent: boolean;
  reset: boolean;
}

export interface OrgPolicy {
  /** `organizations/1`, `folders/2` or `projects/{number}`. */
  resource: string;
  constraint: string;
  spec?: PolicySpec;
  dryRunSpec?: PolicySpec;
  etag: string;
}

export type MethodType = "CREATE" | "UPDATE" | "DELETE" | "REMOVE_GRANT" | "GOVERN_TAGS";

export interface CustomConstraint {
  orgId: string;
  /** `custom.something`. */
  id: string;
  resourceTypes: string[];
  methodTypes: MethodType[];
  condition: string;
  actionType: "ALLOW" | "DENY";
  displayName: string;
  description: string;
  updateTime: string;
}

export interface DenyRule {
  deniedPrincipals: string[];
  exceptionPrincipals: string[];
  deniedPermissions: string[];
  exceptionPermissions: string[];
  denialCondition?: Expr;
}

export interface DenyPolicy {
  /** Attachment point, unencoded: `cloudresourcemanager.googleapis.com/organizations/123`. */
  attachmentPoint: string;
  id: string;
  uid: string;
  displayName: string;
  annotations: Record<string, string>;
  etag: string;
  createTime: string;
  updateTime: string;
  rules: Array<{ description: string; denyRule: DenyRule }>;
  managingAuthority: string;
}

/** A long-running operation, kept until read so SDK polling works; `pollsLeft` delays completion. */
export interface StoredOperation {
  name: string;
  pollsLeft: number;
  metadata: Record<string, unknown>;
  result: { response: Record<string, unknown> } | { error: { code: number; message: string } };
}

export interface ServiceAccount {
  email: string;
  /** Exact permissions, `service.*` wildcards, or `*`. */
  permissions: string[];
  /** Static bearer tokens that authenticate as this account. */
  tokens: string[];
  /** Public keys (PEM) by key id, for self-signed JWTs and the JWT-bearer grant. */
  keys: Record<string, string>;
}

export interface GcpLimits {
  /** Org Policy: serialized policy size. */
  policyBytes: number;
  /** Org Policy: rules per spec. */
  rulesPerPolicy: number;
  /** Org Policy: custom constraints per resource type in an organization (Google's quota is 20). */
  customConstraintsPerResourceType: number;
  customConstraintConditionChars: number;
  /** IAM v2: deny policies per attachment point. */
  denyPoliciesPerAttachmentPoint: number;
  /** IAM v2: rules per deny policy. */
  denyRulesPerPolicy: number;
  /** Resource Manager: folder nesting depth under the organization. */
  folderDepth: number;
  /** Resource Manager: direct child folders per parent. */
  foldersPerParent: number;
  defaultPageSize: number;
  maxPageSize: number;
}

export const DEFAULT_LIMITS: GcpLimits = {
  policyBytes: 32 * 1024,
  rulesPerPolicy: 10,
  customConstraintsPerResourceType: 20,
  customConstraintConditionChars: 1000,
  denyPoliciesPerAttachmentPoint: 5,
  denyRulesPerPolicy: 500,
  folderDepth: 10,
  foldersPerParent: 300,
  defaultPageSize: 100,
  maxPageSize: 1000,
};

export interface GcpStateSnapshot {
  version: 1;
  org: Organization;
  folders: Folder[];
  projects: Project[];
  policies: OrgPolicy[];
  customConstraints: CustomConstraint[];
  denyPolicies: DenyPolicy[];
  serviceAccounts: ServiceAccount[];
  nextId: number;
}

export const now = (): string => new Date().toISOString();

/** Opaque etag like Google's (base64 of a content hash plus a counter, so rewrites of equal content still change it). */
export function newEtag(seed: string): string {
  return createHash("sha256").update(seed).update(randomUUID()).digest("base64").slice(0, 16);
}

/**
 * All resources of one simulated GCP organization, with the indexes the API needs to stay O(page) on
 * 10,000-project organizations (children by parent, project id → number).
 */
export class GcpState {
  org: Organization;
  folders = new Map<string, Folder>();
  projects = new Map<string, Project>();
  projectIdToNumber = new Map<string, string>();
  /** parent name → child folder ids / project numbers. */
  childFolders = new Map<string, Set<string>>();
  childProjects = new Map<string, Set<string>>();
  /** `${resource}|${constraint}` → policy. */
  policies = new Map<string, OrgPolicy>();
  /** resource → constraints with a policy there. */
  policiesByResource = new Map<string, Set<string>>();
  customConstraints = new Map<string, CustomConstraint>();
  /** `${attachmentPoint}|${id}` → deny policy. */
  denyPolicies = new Map<string, DenyPolicy>();
  operations = new Map<string, StoredOperation>();
  serviceAccounts = new Map<string, ServiceAccount>();
  private nextId: number;

  constructor(orgId = "123456789012", domain = "example.com") {
    const t = now();
    this.org = {
      id: orgId,
      displayName: domain,
      directoryCustomerId: "C0" + orgId.slice(-7),
      createTime: t,
      updateTime: t,
      etag: newEtag(orgId),
    };
    this.nextId = 100000000000;
  }

  /** Fresh numeric id (folders and project numbers share Google's 12-digit space). */
  allocId(): string {
    this.nextId += 1 + (this.nextId % 7);
    return String(this.nextId);
  }

  orgName(): string {
    return `organizations/${this.org.id}`;
  }

  addFolder(f: Folder): void {
    this.folders.set(f.id, f);
    index(this.childFolders, f.parent).add(f.id);
  }

  moveFolder(f: Folder, parent: string): void {
    this.childFolders.get(f.parent)?.delete(f.id);
    f.parent = parent;
    index(this.childFolders, parent).add(f.id);
  }

  addProject(p: Project): void {
    this.projects.set(p.number, p);
    this.projectIdToNumber.set(p.projectId, p.number);
    index(this.childProjects, p.parent).add(p.number);
  }

  moveProject(p: Project, parent: string): void {
    this.childProjects.get(p.parent)?.delete(p.number);
    p.parent = parent;
    index(this.childProjects, parent).add(p.number);
  }

  /** Resolves `projects/{id|number}` to the project. */
  findProject(ref: string): Project | undefined {
    return this.projects.get(ref) ?? this.projects.get(this.projectIdToNumber.get(ref) ?? "");
  }

  /**
   * Canonical container name (`organizations/1`, `folders/2`, `projects/{number}`) or undefined when
   * it does not exist. Accepts project ids as Google does.
   */
  canonicalContainer(kind: string, id: string): string | undefined {
    if (kind === "organizations") return id === this.org.id ? this.orgName() : undefined;
    if (kind === "folders") return this.folders.has(id) ? `folders/${id}` : undefined;
    if (kind === "projects") {
      const p = this.findProject(id);
      return p ? `projects/${p.number}` : undefined;
    }
    return undefined;
  }

  containerExists(name: string): boolean {
    const [kind, id] = name.split("/");
    return !!kind && !!id && this.canonicalContainer(kind, id) === name;
  }

  parentOf(name: string): string | undefined {
    const [kind, id = ""] = name.split("/");
    if (kind === "folders") return this.folders.get(id)?.parent;
    if (kind === "projects") return this.projects.get(id)?.parent;
    return undefined;
  }

  /** Ancestry from the organization down to `name` (inclusive). */
  ancestry(name: string): string[] {
    const chain: string[] = [];
    let cur: string | undefined = name;
    while (cur && chain.length < 64) {
      chain.push(cur);
      cur = this.parentOf(cur);
    }
    return chain.reverse();
  }

  folderDepth(folderId: string): number {
    return this.ancestry(`folders/${folderId}`).length - 1;
  }

  /** Height of the folder subtree rooted at `folderId` (1 for a leaf folder). */
  folderHeight(folderId: string): number {
    let h = 0;
    for (const c of this.childFolders.get(`folders/${folderId}`) ?? []) h = Math.max(h, this.folderHeight(c));
    return h + 1;
  }

  policyKey(resource: string, constraint: string): string {
    return `${resource}|${constraint}`;
  }

  getPolicy(resource: string, constraint: string): OrgPolicy | undefined {
    return this.policies.get(this.policyKey(resource, constraint));
  }

  putPolicy(p: OrgPolicy): void {
    this.policies.set(this.policyKey(p.resource, p.constraint), p);
    index(this.policiesByResource, p.resource).add(p.constraint);
  }

  deletePolicy(resource: string, constraint: string): void {
    this.policies.delete(this.policyKey(resource, constraint));
    this.policiesByResource.get(resource)?.delete(constraint);
  }

  denyKey(attachmentPoint: string, id: string): string {
    return `${attachmentPoint}|${id}`;
  }

  denyPoliciesAt(attachmentPoint: string): DenyPolicy[] {
    const out: DenyPolicy[] = [];
    for (const p of this.denyPolicies.values()) if (p.attachmentPoint === attachmentPoint) out.push(p);
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  snapshot(): GcpStateSnapshot {
    return {
      version: 1,
      org: this.org,
      folders: [...this.folders.values()],
      projects: [...this.projects.values()],
      policies: [...this.policies.values()],
      customConstraints: [...this.customConstraints.values()],
      denyPolicies: [...this.denyPolicies.values()],
      serviceAccounts: [...this.serviceAccounts.values()],
      nextId: this.nextId,
    };
  }

  static restore(s: GcpStateSnapshot): GcpState {
    const st = new GcpState(s.org.id, s.org.displayName);
    st.org = s.org;
    for (const f of s.folders) st.addFolder(f);
    for (const p of s.projects) st.addProject(p);
    for (const p of s.policies) st.putPolicy(p);
    for (const c of s.customConstraints) st.customConstraints.set(`${c.orgId}|${c.id}`, c);
    for (const d of s.denyPolicies) st.denyPolicies.set(st.denyKey(d.attachmentPoint, d.id), d);
    for (const a of s.serviceAccounts) st.serviceAccounts.set(a.email, a);
    st.nextId = s.nextId;
    return st;
  }
}

function index<K, V>(m: Map<K, Set<V>>, k: K): Set<V> {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  return s;
}

import { randomBytes } from "node:crypto";

/** A long-term access key, as an IAM user in some account would hold. */
export interface AwsCredentialSpec {
  accessKeyId: string;
  secretAccessKey: string;
  /** Account the key belongs to; default the management account. */
  accountId?: string;
  /** IAM user name used in the principal ARN; default "parapet-sim". */
  userName?: string;
  /**
   * Organizations actions this principal may call, e.g. ["ListRoots", "organizations:DescribePolicy"];
   * "*" (default) allows all.
   */
  allowedActions?: string[] | "*";
}

/** An IAM role that callers can assume through STS. */
export interface AwsRoleSpec {
  /** arn:aws:iam::<account>:role/<name> */
  arn: string;
  /** When set, AssumeRole must pass exactly this ExternalId (the confused-deputy guard). */
  externalId?: string;
  allowedActions?: string[] | "*";
  /** Maximum DurationSeconds (AWS default 3600, up to 43200). */
  maxSessionSeconds?: number;
  /** Access key ids, account ids or principal ARNs allowed to assume the role; default any registered principal. */
  trustedPrincipals?: string[];
}

export interface Principal {
  type: "IAMUser" | "AssumedRole";
  arn: string;
  accountId: string;
  principalId: string;
  accessKeyId: string;
  /** null = every action allowed. */
  allowed: Set<string> | null;
  roleArn?: string;
  sessionName?: string;
}

export interface KeyEntry {
  secretAccessKey: string;
  /** Registered without an account: belongs to whatever the management account is now (it changes on reset/demo seed). */
  followsManagement?: boolean;
  principal: Principal;
  sessionToken?: string;
  expiresAt?: number;
}

export interface RoleEntry {
  spec: AwsRoleSpec;
  roleId: string;
  accountId: string;
  name: string;
}

const ROLE_ARN_RE = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function normaliseActions(a: string[] | "*" | undefined): Set<string> | null {
  if (a === undefined || a === "*") return null;
  return new Set(a.map((x) => (x.startsWith("organizations:") ? x.slice("organizations:".length) : x)));
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function randomUpper(n: number): string {
  const b = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += UPPER[b[i]! % UPPER.length];
  return s;
}

/** Registered keys, roles and the temporary sessions STS hands out. */
export class IamRegistry {
  private readonly keys = new Map<string, KeyEntry>();
  private readonly roles = new Map<string, RoleEntry>();

  constructor(private readonly defaultAccountId: () => string) {}

  addCredential(c: AwsCredentialSpec): Principal {
    const accountId = c.accountId ?? this.defaultAccountId();
    const userName = c.userName ?? "parapet-sim";
    const principal: Principal = {
      type: "IAMUser",
      arn: `arn:aws:iam::${accountId}:user/${userName}`,
      accountId,
      principalId: "AIDA" + c.accessKeyId.slice(4, 20).toUpperCase().padEnd(17, "X"),
      accessKeyId: c.accessKeyId,
      allowed: normaliseActions(c.allowedActions),
    };
    this.keys.set(c.accessKeyId, { secretAccessKey: c.secretAccessKey, principal, followsManagement: c.accountId === undefined });
    return principal;
  }

  removeCredential(accessKeyId: string): boolean {
    return this.keys.delete(accessKeyId);
  }

  /** Narrows or widens what an existing key (long-term or session) may call. */
  setAllowedActions(accessKeyId: string, actions: string[] | "*"): boolean {
    const k = this.keys.get(accessKeyId);
    if (!k) return false;
    k.principal.allowed = normaliseActions(actions);
    return true;
  }

  addRole(spec: AwsRoleSpec): RoleEntry {
    const m = ROLE_ARN_RE.exec(spec.arn);
    if (!m) throw new Error(`not an IAM role ARN: ${spec.arn}`);
    const entry: RoleEntry = { spec, roleId: "AROA" + randomUpper(17), accountId: m[1]!, name: m[2]! };
    this.roles.set(spec.arn, entry);
    return entry;
  }

  role(arn: string): RoleEntry | undefined {
    return this.roles.get(arn);
  }

  lookup(accessKeyId: string, now = Date.now()): KeyEntry | undefined {
    const k = this.keys.get(accessKeyId);
    // Expired sessions stay until looked up so the caller gets ExpiredTokenException rather than "invalid".
    if (k?.expiresAt !== undefined && k.expiresAt + 3_600_000 < now) {
      this.keys.delete(accessKeyId);
      return undefined;
    }
    if (k?.followsManagement) {
      const mgmt = this.defaultAccountId();
      if (k.principal.accountId !== mgmt) {
        k.principal.arn = k.principal.arn.replace(`::${k.principal.accountId}:`, `::${mgmt}:`);
        k.principal.accountId = mgmt;
      }
    }
    return k;
  }

  /** May `caller` assume `role`? (The role's trust policy, reduced to a list.) */
  trusts(role: RoleEntry, caller: Principal): boolean {
    const t = role.spec.trustedPrincipals;
    if (!t) return true;
    return (
      t.includes(caller.accessKeyId) ||
      t.includes(caller.accountId) ||
      t.includes(caller.arn) ||
      (!!caller.roleArn && t.includes(caller.roleArn))
    );
  }

  createSession(role: RoleEntry, sessionName: string, durationSeconds: number, now = Date.now()): KeyEntry {
    const accessKeyId = "ASIA" + randomUpper(16);
    const entry: KeyEntry = {
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: "FwoGZXIvYXdzE" + randomBytes(96).toString("base64"),
      expiresAt: now + durationSeconds * 1000,
      principal: {
        type: "AssumedRole",
        arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
        accountId: role.accountId,
        principalId: `${role.roleId}:${sessionName}`,
        accessKeyId,
        allowed: normaliseActions(role.spec.allowedActions),
        roleArn: role.spec.arn,
        sessionName,
      },
    };
    if (this.keys.size > 50_000) this.purgeExpired(now);
    this.keys.set(accessKeyId, entry);
    return entry;
  }

  private purgeExpired(now: number): void {
    for (const [id, k] of this.keys) if (k.expiresAt !== undefined && k.expiresAt < now) this.keys.delete(id);
  }

  listCredentials(): Array<{ accessKeyId: string; arn: string; accountId: string; allowedActions: string[] | "*"; temporary: boolean }> {
    return [...this.keys.entries()].map(([id, k]) => ({
      accessKeyId: id,
      arn: k.principal.arn,
      accountId: k.principal.accountId,
      allowedActions: k.principal.allowed ? [...k.principal.allowed] : "*",
      temporary: k.sessionToken !== undefined,
    }));
  }

  listRoles(): Array<{ arn: string; externalId?: string; allowedActions: string[] | "*" }> {
    return [...this.roles.values()].map((r) => ({
      arn: r.spec.arn,
      externalId: r.spec.externalId,
      allowedActions: r.spec.allowedActions ?? "*",
    }));
  }

  /** Long-term keys and roles, for persistence (sessions are deliberately not saved). */
  snapshot(): { credentials: AwsCredentialSpec[]; roles: AwsRoleSpec[] } {
    const credentials: AwsCredentialSpec[] = [];
    for (const [id, k] of this.keys) {
      if (k.sessionToken !== undefined) continue;
      credentials.push({
        accessKeyId: id,
        secretAccessKey: k.secretAccessKey,
        accountId: k.followsManagement ? undefined : k.principal.accountId,
        userName: k.principal.arn.slice(k.principal.arn.indexOf(":user/") + 6),
        allowedActions: k.principal.allowed ? [...k.principal.allowed] : "*",
      });
    }
    return { credentials, roles: [...this.roles.values()].map((r) => r.spec) };
  }
}

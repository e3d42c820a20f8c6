/**
 * The demo's story: what a team does in Parapet's first weeks, played through the product itself so a
 * newcomer opens a workspace that looks lived in. Every step goes through Parapet's own HTTP API as
 * the demo's people (the owner writes guardrails, the approver signs off), and every out-of-band change
 * goes to a cloud simulator's admin API as "someone in the console" would make it; the worker's real
 * reconcile engine does the rest (deploys, detects drift, repairs or reports it). Nothing is inserted
 * into the database behind the engine's back.
 *
 * Only the *dates* of history are compressed: the daily coverage samples and the weekly report of the
 * weeks before today are taken by the real sampler right after the engine brought the workspace to
 * that point of the story (`onDay`), labelled with the day they stand for.
 *
 * Imports nothing but fetch, so both the demo command and the browser journeys can play it.
 */

type StoryCloud = "aws" | "azure" | "gcp" | "oci";

export interface DemoStoryOptions {
  baseUrl: string;
  /** Simulator base URLs (their /_admin API). */
  sims: Partial<Record<StoryCloud, string>>;
  password: string;
  owner: string;
  approver: string;
  log: (line: string) => void;
  /**
   * Called when the workspace stands as it did from `fromDaysAgo` through `toDaysAgo` (0: today): the demo
   * takes the daily coverage samples of those days (and a week's report where one ends) with the real
   * sampler and report builder.
   */
  onDay?: (fromDaysAgo: number, toDaysAgo: number) => Promise<void>;
  /** How long to wait for the engine at each step (default 4 min; a loaded 2-core box is slow). */
  stepTimeoutMs?: number;
}

export interface StoryResult {
  /** false: the workspace already had its story (a restarted demo keeps what happened). */
  played: boolean;
  guardrails: Record<string, string>;
}

/** The guardrails the story writes, by the role each plays in it. */
export const STORY_GUARDRAILS = {
  agents: {
    controlId: "agent-no-destructive-actions",
    name: "AI agents cannot delete production data",
    description: "Agent identities (tagged parapet:agent) cannot delete data, backups or keys in production.",
    scope: { labels: "env=prod" },
    mode: "enforce",
    remediation: "auto",
  },
  backups: {
    controlId: "backups-undeletable",
    name: "Backups cannot be deleted",
    description: "Trialled in audit mode before enforcing: see who would be blocked.",
    scope: { all: true },
    mode: "audit",
    remediation: "auto",
  },
  regions: {
    controlId: "restrict-regions",
    name: "Resources only in approved regions",
    description: "EU regions only; a change here is reviewed by the platform team before it is put back.",
    scope: { all: true },
    mode: "enforce",
    remediation: "notify",
  },
  rootUser: {
    controlId: "deny-root-user",
    name: "Nobody works as the root user",
    description: "Root credentials stay in the safe.",
    scope: { all: true },
    mode: "enforce",
    remediation: "auto",
  },
} as const;

const MARKER = STORY_GUARDRAILS.agents.name;
/** The guardrail every demo workspace starts with (scripts/lib/demo-clouds.ts). */
const BASELINE = "Audit logging cannot be turned off";

class Client {
  private cookie = "";
  constructor(
    private readonly base: string,
    readonly who: string,
  ) {}

  async signIn(email: string, password: string): Promise<void> {
    const res = await fetch(`${this.base}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: this.base },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(`demo story: sign-in as ${email} answered ${res.status} ${(await res.text()).slice(0, 200)}`);
    this.cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
  }

  async call<T = unknown>(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    body?: unknown,
    expect: number[] = [200, 201, 202],
  ): Promise<T> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { cookie: this.cookie, origin: this.base, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!expect.includes(res.status))
      throw new Error(`demo story: ${this.who} ${method} ${path} answered ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

async function admin(sims: DemoStoryOptions["sims"], cloud: StoryCloud, method: string, path: string, body?: unknown): Promise<unknown> {
  const base = sims[cloud];
  if (!base) throw new Error(`demo story: no ${cloud} simulator`);
  // The Azure simulator serves HTTPS with its own CA; only GCP (plain HTTP) is driven here.
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`demo story: ${cloud} simulator ${method} ${path} answered ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`demo story: gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(2_000);
  }
}

interface Totals {
  pending: number;
  total: number;
  enforced: number;
  audit: number;
}
interface Overview {
  byGuardrail: Array<{ guardrailId: string; name: string; totals: Totals }>;
}
interface Page<T> {
  items: T[];
}
interface Finding {
  id: string;
  status: string;
  kind: string;
  guardrail: { id: string } | null;
}

/**
 * The engine has reached every one of these guardrails: each has coverage rows and none is waiting for a
 * reconcile — or, where some rows stay pending because a connection cannot apply (a workspace with a
 * broken or duplicate connection, as the browser journeys leave behind), the rest is in place and the
 * pending count has not moved for ten seconds.
 */
async function settled(owner: Client, ids: string[], timeoutMs: number): Promise<void> {
  const seen = new Map<string, { pending: number; since: number }>();
  await until(`coverage of ${ids.length} guardrail(s)`, timeoutMs, async () => {
    const o = await owner.call<Overview>("GET", "/coverage/overview");
    const now = Date.now();
    return ids.every((id) => {
      const g = o.byGuardrail.find((x) => x.guardrailId === id);
      if (!g || g.totals.total === 0) return false;
      if (g.totals.pending === 0) return true;
      const prev = seen.get(id);
      if (!prev || prev.pending !== g.totals.pending) {
        seen.set(id, { pending: g.totals.pending, since: now });
        return false;
      }
      return g.totals.pending < g.totals.total && now - prev.since >= 10_000;
    });
  });
}

async function reconcileAll(owner: Client): Promise<void> {
  const conns = await owner.call<Page<{ id: string }>>("GET", "/connections");
  for (const c of conns.items) await owner.call("POST", `/connections/${c.id}/reconcile`);
}

async function createGuardrail(owner: Client, g: (typeof STORY_GUARDRAILS)[keyof typeof STORY_GUARDRAILS]): Promise<string> {
  return (await owner.call<{ id: string }>("POST", "/guardrails", { ...g, params: {} })).id;
}

interface DenyPolicy {
  id: string;
  attachmentPoint: string;
  annotations?: Record<string, string>;
}
interface OrgPolicy {
  resource: string;
  constraint: string;
}

export async function runDemoStory(o: DemoStoryOptions): Promise<StoryResult> {
  const timeout = o.stepTimeoutMs ?? 240_000;
  const owner = new Client(o.baseUrl, "owner");
  const approver = new Client(o.baseUrl, "approver");
  await owner.signIn(o.owner, o.password);
  await approver.signIn(o.approver, o.password);
  const days = async (from: number, to: number) => {
    if (o.onDay) await o.onDay(from, to);
  };

  const list = (await owner.call<Page<{ id: string; name: string }>>("GET", "/guardrails")).items;
  if (list.some((g) => g.name === MARKER)) return { played: false, guardrails: Object.fromEntries(list.map((g) => [g.name, g.id])) };
  // The demo's seeded guardrail; whatever else a workspace already holds is not the story's to wait for.
  const baseline = list.filter((g) => g.name === BASELINE).map((g) => g.id);

  // Three weeks ago: the baseline guardrail (audit logging locked) is deployed everywhere.
  o.log("demo story: three weeks ago — the first guardrail reaches every cloud");
  await settled(owner, baseline, timeout);
  await days(21, 15);

  // Two weeks ago: agents lose the ability to destroy production data; backups are trialled in audit.
  o.log("demo story: two weeks ago — AI agents and backups");
  const ids: Record<string, string> = {};
  ids.agents = await createGuardrail(owner, STORY_GUARDRAILS.agents);
  ids.backups = await createGuardrail(owner, STORY_GUARDRAILS.backups);
  ids.rootUser = await createGuardrail(owner, STORY_GUARDRAILS.rootUser);
  await settled(owner, [...baseline, ids.agents, ids.backups, ids.rootUser], timeout);
  await days(14, 8);

  // One week ago: someone deletes one of Parapet's deny policies in GCP; the engine puts it back.
  o.log("demo story: a week ago — an out-of-band deletion in GCP is detected and repaired");
  const snap = (await admin(o.sims, "gcp", "GET", "/_admin/snapshot")) as { denyPolicies: DenyPolicy[] };
  const owned = snap.denyPolicies.find((p) => "parapet-managed" in (p.annotations ?? {}));
  if (!owned) throw new Error("demo story: no Parapet deny policy in the GCP simulator to delete");
  const denyName = `policies/${encodeURIComponent(owned.attachmentPoint)}/denypolicies/${owned.id}`;
  await admin(o.sims, "gcp", "DELETE", `/_admin/deny-policies?name=${encodeURIComponent(denyName)}`, {
    name: denyName,
    actor: "ops-contractor@acme.example",
  });
  await admin(o.sims, "gcp", "POST", "/_admin/events/flush", {}).catch(() => undefined);
  await until("the GCP deletion to be found and repaired", timeout, async () => {
    const d = await owner.call<Page<Finding & { summary: string }>>("GET", "/drift?limit=50");
    return d.items.some((f) => f.status === "resolved" && f.summary.includes(owned.id));
  });
  await days(7, 1);

  // This week: regions are locked down with remediation "notify" — a change is reported, not reverted.
  o.log("demo story: this week — regions (notify), a drift left open for review");
  ids.regions = await createGuardrail(owner, STORY_GUARDRAILS.regions);
  await settled(owner, [...baseline, ids.agents, ids.backups, ids.rootUser, ids.regions], timeout);
  const policies = ((await admin(o.sims, "gcp", "GET", "/_admin/snapshot")) as { policies: OrgPolicy[] }).policies;
  const regionsPolicy = policies.find((p) => p.constraint === "gcp.resourceLocations");
  if (!regionsPolicy) throw new Error("demo story: the regions guardrail left no gcp.resourceLocations policy in the GCP simulator");
  const policyName = `${regionsPolicy.resource}/policies/${regionsPolicy.constraint}`;
  await admin(o.sims, "gcp", "DELETE", `/_admin/org-policies?name=${encodeURIComponent(policyName)}`, {
    name: policyName,
    actor: "data-science-lead@acme.example",
  });
  await admin(o.sims, "gcp", "POST", "/_admin/events/flush", {}).catch(() => undefined);
  await until("the regions drift to be reported", timeout, async () => {
    const d = await owner.call<Page<Finding & { summary: string }>>("GET", `/drift?status=open&limit=50`);
    return d.items.some((f) => f.summary.includes(policyName));
  });

  // An exemption for one production environment, approved by the second person; it runs out in 3 days.
  o.log("demo story: an exemption approved by a second person, expiring in three days");
  const preview = await owner.call<{ sample: Array<{ id: string; name: string }> }>("POST", "/scope/preview", {
    scope: { labels: "env=prod" },
  });
  const node = preview.sample[0];
  if (!node) throw new Error("demo story: no production environment to exempt");
  const exemption = await owner.call<{ approval: { id: string } }>("POST", "/exemptions", {
    guardrailId: ids.agents,
    nodeId: node.id,
    reason: "Data migration job deletes the old tables this week (CHG-4821)",
    ownerEmail: o.owner,
    expiresAt: new Date(Date.now() + 3 * 24 * 3600_000).toISOString(),
  });
  await approver.call("POST", `/approvals/${exemption.approval.id}/approve`, { note: "Migration window agreed with the data team." });

  // A weakening waits for a second person: the owner proposes backups in audit mode → enforce is
  // strengthening (applies at once); proposing agents → audit is weakening and waits.
  o.log("demo story: a weakening change waits for approval");
  await owner.call("PATCH", `/guardrails/${ids.backups}`, {
    mode: "enforce",
    note: "Two weeks in audit mode showed nobody legitimate would be blocked.",
  });
  await owner.call(
    "PATCH",
    `/guardrails/${ids.agents}`,
    { mode: "audit", note: "Pause enforcement while the agent platform team rotates its roles." },
    [202],
  );
  await reconcileAll(owner);
  await settled(owner, [...baseline, ids.agents, ids.backups, ids.rootUser, ids.regions], timeout);
  // Posture: what the demo organisations' own policies (Control Tower and LZA SCPs, the Azure built-in
  // assignments, GCP org and deny policies, OCI policies) already enforce. Read-only scans.
  o.log("demo story: scanning the customers' own policies (posture)");
  const conns = await owner.call<Page<{ id: string }>>("GET", "/connections");
  for (const c of conns.items) await owner.call("POST", `/connections/${c.id}/posture`, undefined, [202, 409]);
  await days(0, 0);
  o.log("demo story: done");
  return { played: true, guardrails: ids };
}

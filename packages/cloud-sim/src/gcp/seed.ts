import { mulberry32, randomString } from "../common/rng.ts";
import type { ServiceAccountKeyFile } from "./auth.ts";
import type { Folder, Project } from "./model.ts";
import { newEtag, now } from "./model.ts";
import type { GcpSim } from "./server-options.ts";

export interface GcpSeedOptions {
  projects: number;
  folders?: number;
  /** Folder nesting depth (default 3, at most the folder depth limit). */
  depth?: number;
  /** Extra labels put on every project (env is always set, cycling prod/nonprod/sandbox). */
  labels?: Record<string, string>;
  /** Random seed for reproducible ids (default: the simulator's seed). */
  seed?: number;
}

export interface GcpSeedResult {
  orgId: string;
  folders: number;
  projects: number;
}

const ENVS = ["prod", "nonprod", "sandbox"] as const;

/**
 * Adds `folders` folders (balanced tree of the given depth) and `projects` projects spread over them,
 * written straight into state (no events), so a 10,000-project organization takes well under a second.
 */
export function seedGcpOrg(sim: GcpSim, opts: GcpSeedOptions): GcpSeedResult {
  const st = sim.core.state;
  const rand = mulberry32(opts.seed ?? 42);
  const depth = Math.max(1, Math.min(opts.depth ?? 3, sim.core.limits.folderDepth));
  const folderCount = Math.max(0, opts.folders ?? 0);
  const fanout = Math.max(2, Math.ceil(Math.pow(Math.max(folderCount, 1), 1 / depth)));
  const t = now();
  const created: Folder[] = [];
  const queue: Array<{ name: string; level: number }> = [{ name: st.orgName(), level: 0 }];
  const base = st.folders.size;
  while (created.length < folderCount && queue.length) {
    const parent = queue.shift();
    if (!parent) break;
    for (let i = 0; i < fanout && created.length < folderCount; i++) {
      const n = base + created.length + 1;
      const f: Folder = {
        id: st.allocId(),
        parent: parent.name,
        displayName: `Folder ${n}`,
        state: "ACTIVE",
        createTime: t,
        updateTime: t,
        etag: newEtag(String(n)),
      };
      st.addFolder(f);
      created.push(f);
      if (parent.level + 1 < depth) queue.push({ name: `folders/${f.id}`, level: parent.level + 1 });
    }
  }
  const homes = created.length ? created.map((f) => `folders/${f.id}`) : [st.orgName()];
  const startIndex = st.projects.size;
  for (let i = 0; i < opts.projects; i++) {
    const n = startIndex + i + 1;
    let projectId = `proj-${n}-${randomString(rand, 6)}`;
    while (st.projectIdToNumber.has(projectId)) projectId = `proj-${n}-${randomString(rand, 6)}`;
    const p: Project = {
      number: st.allocId(),
      projectId,
      parent: homes[i % homes.length] ?? st.orgName(),
      displayName: `Project ${n}`,
      labels: { env: ENVS[i % ENVS.length] ?? "prod", ...(opts.labels ?? {}) },
      state: "ACTIVE",
      createTime: t,
      updateTime: t,
      etag: newEtag(projectId),
    };
    st.addProject(p);
  }
  sim.core.changed();
  return { orgId: st.org.id, folders: created.length, projects: opts.projects };
}

export interface GcpDemo {
  orgId: string;
  domain: string;
  folders: Record<string, string>;
  projects: Record<string, { number: string; projectId: string; folder: string; labels: Record<string, string> }>;
  serviceAccount: { email: string; token: string; keyFile: ServiceAccountKeyFile };
  readOnly: { email: string; token: string };
  customerPolicies: string[];
  customerDenyPolicies: string[];
}

export const DEMO_ORG_ID = "123456789012";
const DEMO_DOMAIN = "example.com";
export const DEMO_SA_EMAIL = "parapet-connector@platform-security.iam.gserviceaccount.com";
export const DEMO_SA_TOKEN = "sim-gcp-demo-token";
const DEMO_READONLY_EMAIL = "auditor@platform-security.iam.gserviceaccount.com";
const DEMO_READONLY_TOKEN = "sim-gcp-readonly-token";

type DemoProject = [name: string, labels: Record<string, string>];

const DEMO: Record<string, DemoProject[]> = {
  Platform: [
    ["platform-network-hub", { env: "prod", team: "platform" }],
    ["platform-logging", { env: "prod", team: "platform" }],
    ["platform-security", { env: "prod", team: "security" }],
    ["platform-ci", { env: "nonprod", team: "platform" }],
    ["platform-billing-admin", { env: "prod", team: "finance" }],
  ],
  Production: [
    ["payments-prod", { env: "prod", data: "regulated", team: "payments" }],
    ["ledger-prod", { env: "prod", data: "regulated", team: "payments" }],
    ["checkout-prod", { env: "prod", team: "commerce" }],
    ["identity-prod", { env: "prod", data: "regulated", team: "identity" }],
    ["search-prod", { env: "prod", team: "commerce" }],
    ["analytics-prod", { env: "prod", team: "data" }],
    ["data-warehouse-prod", { env: "prod", data: "regulated", team: "data" }],
    ["notifications-prod", { env: "prod", team: "commerce" }],
  ],
  "Non-Production": [
    ["payments-dev", { env: "nonprod", team: "payments" }],
    ["payments-staging", { env: "nonprod", team: "payments" }],
    ["ledger-dev", { env: "nonprod", team: "payments" }],
    ["checkout-staging", { env: "nonprod", team: "commerce" }],
    ["identity-staging", { env: "nonprod", team: "identity" }],
    ["analytics-dev", { env: "nonprod", team: "data" }],
    ["qa-shared", { env: "nonprod", team: "qa" }],
  ],
  Sandbox: [
    ["sandbox-alice", { env: "sandbox", owner: "alice" }],
    ["sandbox-bob", { env: "sandbox", owner: "bob" }],
    ["sandbox-carol", { env: "sandbox", owner: "carol" }],
    ["sandbox-ml-experiments", { env: "sandbox", team: "data" }],
  ],
  "AI-Agents": [
    ["agent-runtime-prod", { env: "prod", agent: "true", team: "ai" }],
    ["agent-tools-prod", { env: "prod", agent: "true", data: "regulated", team: "ai" }],
    ["mcp-gateway-prod", { env: "prod", agent: "true", team: "ai" }],
    ["agent-runtime-dev", { env: "nonprod", agent: "true", team: "ai" }],
    ["agent-evals", { env: "nonprod", agent: "true", team: "ai" }],
    ["agent-sandbox", { env: "sandbox", agent: "true", team: "ai" }],
  ],
};

/**
 * Resets the simulator to the demo organization 123456789012 (example.com): five top-level folders
 * with 30 labelled projects, a customer org policy (resource locations in:eu-locations, plus two more),
 * a customer deny policy Parapet does not own, and the connector service account (token and key file).
 */
export function seedGcpDemo(sim: GcpSim): GcpDemo {
  sim.reset({ orgId: DEMO_ORG_ID, domain: DEMO_DOMAIN });
  const core = sim.core;
  core.muted = true;
  try {
    return buildDemo(sim);
  } finally {
    core.muted = false;
  }
}

function buildDemo(sim: GcpSim): GcpDemo {
  const core = sim.core;
  const st = core.state;
  const rand = mulberry32(20261125);
  const t = now();
  const folders: GcpDemo["folders"] = {};
  const projects: GcpDemo["projects"] = {};
  for (const [folderName, list] of Object.entries(DEMO)) {
    const f: Folder = {
      id: st.allocId(),
      parent: st.orgName(),
      displayName: folderName,
      state: "ACTIVE",
      createTime: t,
      updateTime: t,
      etag: newEtag(folderName),
    };
    st.addFolder(f);
    folders[folderName] = `folders/${f.id}`;
    for (const [name, labels] of list) {
      const projectId = `${name}-${randomString(rand, 4, "0123456789")}`.slice(0, 30);
      const p: Project = {
        number: String(100000000000 + Math.floor(rand() * 899999999999)),
        projectId,
        parent: `folders/${f.id}`,
        displayName: name.slice(0, 30),
        labels,
        state: "ACTIVE",
        createTime: t,
        updateTime: t,
        etag: newEtag(projectId),
      };
      st.addProject(p);
      projects[name] = { number: p.number, projectId, folder: folderName, labels };
    }
  }
  const keyFile = sim.registerServiceAccount({
    email: DEMO_SA_EMAIL,
    // cloudidentity.groups.get stands for the Workspace Groups Reader admin role (cloudidentity.ts).
    permissions: [
      "orgpolicy.*",
      "iam.denypolicies.*",
      "resourcemanager.*",
      "logging.logEntries.list",
      "logging.privateLogEntries.list",
      "cloudidentity.groups.get",
    ],
    tokens: [DEMO_SA_TOKEN],
    generateKey: true,
  });
  sim.registerServiceAccount({
    email: DEMO_READONLY_EMAIL,
    permissions: [
      "orgpolicy.policy.get",
      "orgpolicy.policies.list",
      "orgpolicy.constraints.list",
      "orgpolicy.customConstraints.get",
      "orgpolicy.customConstraints.list",
      "iam.denypolicies.get",
      "iam.denypolicies.list",
      "logging.logEntries.list",
      "logging.privateLogEntries.list",
      "resourcemanager.organizations.get",
      "resourcemanager.folders.get",
      "resourcemanager.folders.list",
      "resourcemanager.projects.get",
      "resourcemanager.projects.list",
    ],
    tokens: [DEMO_READONLY_TOKEN],
  });
  const org = st.orgName();
  const customerPolicies = [
    `${org}/policies/gcp.resourceLocations`,
    `${org}/policies/iam.disableServiceAccountKeyCreation`,
    `${folders.Sandbox ?? ""}/policies/compute.vmExternalIpAccess`,
  ];
  const human = "cloud-admin@example.com";
  sim.putOrgPolicy(customerPolicies[0] ?? "", { spec: { rules: [{ values: { allowedValues: ["in:eu-locations"] } }] } }, human);
  sim.putOrgPolicy(customerPolicies[1] ?? "", { spec: { rules: [{ enforce: true }] } }, human);
  sim.putOrgPolicy(customerPolicies[2] ?? "", { spec: { rules: [{ denyAll: true }] } }, human);
  const denyName = `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${org}`)}/denypolicies/customer-protect-audit-logs`;
  sim.putDenyPolicy(
    denyName,
    {
      displayName: "Protect audit log sinks",
      rules: [
        {
          description: "Only SecOps may delete or change log sinks",
          denyRule: {
            deniedPrincipals: ["principalSet://goog/public:all"],
            exceptionPrincipals: ["principalSet://goog/group/secops@example.com"],
            deniedPermissions: ["logging.googleapis.com/sinks.delete", "logging.googleapis.com/sinks.update"],
          },
        },
      ],
    },
    human,
  );
  core.changed();
  return {
    orgId: DEMO_ORG_ID,
    domain: DEMO_DOMAIN,
    folders,
    projects,
    serviceAccount: { email: DEMO_SA_EMAIL, token: DEMO_SA_TOKEN, keyFile: keyFile ?? missingKey() },
    readOnly: { email: DEMO_READONLY_EMAIL, token: DEMO_READONLY_TOKEN },
    customerPolicies,
    customerDenyPolicies: [denyName],
  };
}

function missingKey(): never {
  throw new Error("service account key generation failed");
}

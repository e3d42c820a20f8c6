import { generateKeyPairSync } from "node:crypto";
import type { OciCompartment } from "./model.ts";
import type { Actor, OciStore } from "./store.ts";

export interface OciSeedSpec {
  /** How many compartments to create below the root (seeding ignores the compartments-per-tenancy limit). */
  compartments: number;
  /** Nesting depth of the generated tree (1 = all directly under the root, max 6 like OCI). */
  depth?: number;
  /** true: tag with env/team round-robin; or key → values to assign round-robin. */
  tags?: boolean | Record<string, string[]>;
}

export interface OciSeedResult {
  created: number;
  depth: number;
  rootChildren: number;
  ms: number;
}

/** Anything that exposes the simulator's store (an OciSim, or the store itself). */
export type HasStore = { store: OciStore } | OciStore;

function storeOf(x: HasStore): OciStore {
  return "store" in x ? x.store : x;
}

const DEFAULT_TAGS: Record<string, string[]> = {
  env: ["prod", "nonprod", "sandbox"],
  team: ["payments", "search", "platform", "data", "mobile"],
};

/**
 * Breadth-first tree: the branching factor is the smallest b with b + b² + … + b^depth ≥ n, so 10,000
 * compartments at depth 3 come out as 22 → 484 → 9,494. Seeding emits no events (it is not a change
 * anyone made) and skips the per-tenancy compartment limit so benchmarks can go past OCI's default.
 */
export function seedOciTenancy(sim: HasStore, spec: OciSeedSpec): OciSeedResult {
  const store = storeOf(sim);
  const started = performance.now();
  const n = Math.max(0, Math.floor(spec.compartments));
  const depth = Math.min(Math.max(1, Math.floor(spec.depth ?? 1)), store.limits.compartmentDepth);
  let b = 1;
  const capacity = (x: number): number => {
    let sum = 0;
    let pow = 1;
    for (let d = 0; d < depth; d++) {
      pow *= x;
      sum += pow;
    }
    return sum;
  };
  while (capacity(b) < n) b++;
  const tagSpec = spec.tags === true ? DEFAULT_TAGS : spec.tags || undefined;
  const actor: Actor = { principalId: store.humanUserId, via: "admin" };
  const prefix = `seed${store.compartments.size}`;
  let level: string[] = [store.tenancy.id];
  let created = 0;
  let rootChildren = 0;
  for (let d = 1; d <= depth && created < n; d++) {
    const next: string[] = [];
    for (const parent of level) {
      for (let k = 0; k < b && created < n; k++) {
        const ff: Record<string, string> = {};
        if (tagSpec) {
          for (const [key, values] of Object.entries(tagSpec)) {
            const v = values[created % Math.max(1, values.length)];
            if (v !== undefined) ff[key] = v;
          }
        }
        const c: OciCompartment = store.createCompartment(
          { compartmentId: parent, name: `${prefix}-d${d}-${created}`, description: `Seeded compartment ${created}`, freeformTags: ff },
          actor,
          { skipLimits: true, quiet: true },
        );
        if (d === 1) rootChildren++;
        next.push(c.id);
        created++;
      }
      if (created >= n) break;
    }
    level = next;
  }
  return { created, depth, rootChildren, ms: Math.round(performance.now() - started) };
}

export interface OciDemoCredentials {
  tenancyId: string;
  userId: string;
  fingerprint: string;
  privateKeyPem: string;
  publicKeyPem: string;
  region: string;
}

export interface OciDemoResult {
  credentials: OciDemoCredentials;
  /** Compartment name (paths like "Prod/App" for nested ones) → OCID. */
  compartments: Record<string, string>;
  /** The customer's own policies that Parapet does not own. */
  customerPolicyIds: string[];
}

export function generateApiKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * A realistic demo tenancy: Security, Network, Prod (App, Data), NonProd (Dev, Test), Sandbox and
 * AI-Agents compartments tagged env/data/agent, two pre-existing customer policies not owned by
 * Parapet, IAM deny policies enabled, and a registered API key for the demo connection.
 */
export function seedOciDemo(sim: HasStore): OciDemoResult {
  const store = storeOf(sim);
  const actor: Actor = { principalId: store.humanUserId, via: "admin" };
  store.tenancy.name = "acme-corp";
  store.tenancy.description = "Acme Corp production tenancy (simulated)";
  const root = store.tenancy.id;
  const ids: Record<string, string> = {};
  const mk = (path: string, parent: string, description: string, tags: Record<string, string>): string => {
    const name = path.split("/").pop() as string;
    const c = store.createCompartment({ compartmentId: parent, name, description, freeformTags: tags }, actor, {
      skipLimits: true,
      quiet: true,
    });
    ids[path] = c.id;
    return c.id;
  };
  mk("Security", root, "Security tooling, audit and logging", { team: "security" });
  mk("Network", root, "Shared networking (hub VCN, DRG, DNS)", { team: "platform" });
  const prod = mk("Prod", root, "Production workloads", { env: "prod" });
  mk("Prod/App", prod, "Production application tier", { env: "prod", team: "payments" });
  mk("Prod/Data", prod, "Production databases and buckets", { env: "prod", data: "regulated" });
  const nonprod = mk("NonProd", root, "Development and test", { env: "nonprod" });
  mk("NonProd/Dev", nonprod, "Development", { env: "nonprod" });
  mk("NonProd/Test", nonprod, "Integration test", { env: "nonprod" });
  mk("Sandbox", root, "Individual sandboxes", { env: "sandbox" });
  mk("AI-Agents", root, "Autonomous agents and their tool sandboxes", { agent: "true", env: "sandbox" });

  const customerPolicyIds = [
    store.createPolicy(
      {
        compartmentId: root,
        name: "NetworkAdmins-Policy",
        description: "Network team manages the shared network",
        statements: [
          "Allow group NetworkAdmins to manage virtual-network-family in compartment Network",
          "Allow group NetworkAdmins to read all-resources in tenancy",
        ],
        freeformTags: { owner: "platform-team" },
      },
      actor,
      { quiet: true },
    ).id,
    store.createPolicy(
      {
        compartmentId: prod,
        name: "AppOperators-Policy",
        description: "Application operators run the production app tier",
        statements: [
          "Allow group AppOperators to use instance-family in compartment App",
          "Allow group AppOperators to read buckets in compartment Data",
        ],
        freeformTags: { owner: "payments-team" },
      },
      actor,
      { quiet: true },
    ).id,
  ];

  const keys = generateApiKeyPair();
  const connectorGroup = store.ensureGroup("ParapetConnector");
  const user = store.addUser("parapet-demo@acme.example", ["*"], undefined, [connectorGroup.id]);
  const fingerprint = store.addApiKey(user.id, keys.publicKeyPem);
  // IAM deny policies enabled by the console admin, with the guard policy already edited the way
  // Parapet's bootstrap asks (the connector excepted), so the demo connection can write deny statements.
  store.setDenyPoliciesEnabled(true, actor, { alsoExempt: [user.id], quiet: true });
  // A customer deny policy written after deny was enabled (Identity "Deny policies" docs): contractors
  // may not delete anything in the production data compartment.
  customerPolicyIds.push(
    store.createPolicy(
      {
        compartmentId: root,
        name: "Contractors-NoProdDeletes",
        description: "Contractors cannot delete production data",
        statements: [
          "deny group Contractors to manage object-family in compartment Prod:Data where any {request.permission = 'BUCKET_DELETE', request.permission = 'OBJECT_DELETE'}",
        ],
        freeformTags: { owner: "security-team" },
      },
      actor,
      { quiet: true },
    ).id,
  );
  return {
    credentials: {
      tenancyId: root,
      userId: user.id,
      fingerprint,
      privateKeyPem: keys.privateKeyPem,
      publicKeyPem: keys.publicKeyPem,
      region: "eu-frankfurt-1",
    },
    compartments: ids,
    customerPolicyIds,
  };
}

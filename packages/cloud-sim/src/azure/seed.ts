import type { AzureCore } from "./core.ts";
import { guid } from "./core.ts";
import type { AzureState, Caller } from "./state.ts";

export interface SeedOptions {
  subscriptions: number;
  managementGroups: number;
  /** Maximum levels of management groups below the tenant root (default 3, capped by the depth limit). */
  depth?: number;
  /** Tag name -> values assigned round-robin to subscriptions (default env=prod|nonprod|sandbox). */
  tags?: Record<string, string[]>;
  /** Clear the hierarchy and policy resources first. */
  reset?: boolean;
}

export interface SeedResult {
  tenantId: string;
  rootManagementGroup: string;
  managementGroups: number;
  subscriptions: number;
  ms: number;
}

const CUSTOMER: Caller = { id: "platform-team@contoso.onmicrosoft.com", type: "User" };

const ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c";
const SECURE_TRANSFER = "404c3081-a854-4457-ae30-26a93ef643f9";
const CUSTOM_RBAC_AUDIT = "a451c1ef-c6ca-483d-87ed-f49761e3ffb5";
const MANAGED_DISKS_AUDIT = "06a78e20-9358-41c9-923c-fb736d382a4d";
export const SECURITY_BENCHMARK = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8";

/** A handful of tenant-level built-ins so customers' pre-existing assignments can reference them. */
export function installBuiltIns(state: AzureState): void {
  const effectParam = (def: string, allowed: string[]): Record<string, unknown> => ({
    effect: { type: "String", defaultValue: def, allowedValues: allowed, metadata: { displayName: "Effect" } },
  });
  state.putBuiltIn("policyDefinitions", ALLOWED_LOCATIONS, {
    displayName: "Allowed locations",
    description: "Restricts the locations an organization can specify when deploying resources.",
    mode: "Indexed",
    metadata: { version: "1.0.0", category: "General" },
    version: "1.0.0",
    parameters: {
      listOfAllowedLocations: { type: "Array", metadata: { displayName: "Allowed locations", strongType: "location" } },
    },
    policyRule: {
      if: {
        allOf: [
          { field: "location", notIn: "[parameters('listOfAllowedLocations')]" },
          { field: "location", notEquals: "global" },
          { field: "type", notEquals: "Microsoft.AzureActiveDirectory/b2cDirectories" },
        ],
      },
      then: { effect: "deny" },
    },
  });
  state.putBuiltIn("policyDefinitions", SECURE_TRANSFER, {
    displayName: "Secure transfer to storage accounts should be enabled",
    mode: "Indexed",
    metadata: { version: "2.0.0", category: "Storage" },
    version: "2.0.0",
    parameters: effectParam("Audit", ["Audit", "Deny", "Disabled"]),
    policyRule: {
      if: {
        allOf: [
          { field: "type", equals: "Microsoft.Storage/storageAccounts" },
          { field: "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly", notEquals: "true" },
        ],
      },
      then: { effect: "[parameters('effect')]" },
    },
  });
  state.putBuiltIn("policyDefinitions", CUSTOM_RBAC_AUDIT, {
    displayName: "Audit usage of custom RBAC roles",
    mode: "All",
    metadata: { version: "1.0.1", category: "General" },
    version: "1.0.1",
    parameters: effectParam("Audit", ["Audit", "Disabled"]),
    policyRule: {
      if: {
        allOf: [
          { field: "type", equals: "Microsoft.Authorization/roleDefinitions" },
          { field: "Microsoft.Authorization/roleDefinitions/type", equals: "CustomRole" },
        ],
      },
      then: { effect: "[parameters('effect')]" },
    },
  });
  state.putBuiltIn("policyDefinitions", MANAGED_DISKS_AUDIT, {
    displayName: "Audit VMs that do not use managed disks",
    mode: "Indexed",
    metadata: { version: "1.0.0", category: "Compute" },
    version: "1.0.0",
    parameters: {},
    policyRule: {
      if: {
        anyOf: [
          {
            allOf: [
              { field: "type", equals: "Microsoft.Compute/virtualMachines" },
              { field: "Microsoft.Compute/virtualMachines/osDisk.uri", exists: "True" },
            ],
          },
          {
            allOf: [
              { field: "type", equals: "Microsoft.Compute/VirtualMachineScaleSets" },
              { field: "Microsoft.Compute/VirtualMachineScaleSets/osDisk.vhdContainers", exists: "True" },
            ],
          },
        ],
      },
      then: { effect: "audit" },
    },
  });
  state.putBuiltIn("policySetDefinitions", SECURITY_BENCHMARK, {
    displayName: "Microsoft cloud security benchmark",
    description:
      "The Microsoft cloud security benchmark initiative represents the policies and controls implementing security recommendations.",
    metadata: { version: "57.0.0", category: "Security Center" },
    version: "57.0.0",
    parameters: {
      secureTransferEffect: { type: "String", defaultValue: "Audit", allowedValues: ["Audit", "Deny", "Disabled"] },
      customRbacEffect: { type: "String", defaultValue: "Audit", allowedValues: ["Audit", "Disabled"] },
    },
    policyDefinitions: [
      {
        policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${SECURE_TRANSFER}`,
        policyDefinitionReferenceId: "secureTransferToStorageAccountMonitoring",
        parameters: { effect: { value: "[parameters('secureTransferEffect')]" } },
      },
      {
        policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${CUSTOM_RBAC_AUDIT}`,
        policyDefinitionReferenceId: "customSubscriptionOwnerRoleMonitoring",
        parameters: { effect: { value: "[parameters('customRbacEffect')]" } },
      },
      {
        policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${MANAGED_DISKS_AUDIT}`,
        policyDefinitionReferenceId: "vmsWithoutManagedDisksMonitoring",
        parameters: {},
      },
    ],
  });
}

/**
 * Builds a tenant of any size without emitting events (a bulk seed is not a stream of changes):
 * management groups form a balanced tree no deeper than `depth`, subscriptions are spread round-robin
 * over the leaf groups and tagged round-robin.
 */
export function seedAzureTenantCore(core: AzureCore, opts: SeedOptions): SeedResult {
  const t0 = performance.now();
  const st = core.state;
  if (opts.reset) st.clear();
  const depth = Math.max(1, Math.min(opts.depth ?? 3, core.config.limits.managementGroupDepth));
  const n = opts.managementGroups;
  // Smallest branching factor b with b + b^2 + … + b^depth >= n keeps the tree within the depth.
  let b = 1;
  const capacity = (x: number): number => {
    let s = 0;
    let p = 1;
    for (let i = 0; i < depth; i++) {
      p *= x;
      s += p;
    }
    return s;
  };
  while (capacity(b) < n) b++;
  const prefix = `mg-${st.mgs.size}`;
  const names: string[] = [];
  const hasChild = new Set<number>();
  for (let j = 1; j <= n; j++) {
    const parentIdx = Math.floor((j - 1) / b);
    if (parentIdx > 0) hasChild.add(parentIdx);
    const name = `${prefix}-${String(j).padStart(5, "0")}`;
    st.addManagementGroup(name, `Group ${j}`, parentIdx === 0 ? undefined : names[parentIdx - 1]);
    names.push(name);
  }
  const leaves = names.filter((_, i) => !hasChild.has(i + 1));
  const targets = leaves.length ? leaves : [st.tenantId];
  const tagSpec = opts.tags ?? { env: ["prod", "nonprod", "sandbox"] };
  const start = st.subs.size;
  for (let i = 0; i < opts.subscriptions; i++) {
    const tags: Record<string, string> = {};
    for (const [k, vals] of Object.entries(tagSpec)) if (vals.length) tags[k] = vals[i % vals.length]!;
    st.addSubscription({
      subscriptionId: guid(core.rand),
      displayName: `sub-${String(start + i + 1).padStart(5, "0")}`,
      state: "Enabled",
      tags,
      parent: targets[i % targets.length]!,
    });
  }
  core.persister.schedule();
  return {
    tenantId: st.tenantId,
    rootManagementGroup: st.tenantId,
    managementGroups: st.mgs.size,
    subscriptions: st.subs.size,
    ms: Math.round(performance.now() - t0),
  };
}

export const DEMO_APP = {
  appId: "5e0c7a52-3b1f-4d8e-a6c9-0f2b4d6e8a13",
  secret: "parapet-demo-connector-secret",
  displayName: "parapet-connector",
};

export const DEMO_READER_APP = {
  appId: "9b3d5f71-2a4c-4e6f-8b0d-1c3e5a7f9b24",
  secret: "parapet-demo-reader-secret",
  displayName: "parapet-readonly",
};

export interface DemoInfo {
  tenantId: string;
  rootManagementGroup: string;
  app: { appId: string; secret: string; displayName: string };
  readerApp: { appId: string; secret: string; displayName: string };
  managementGroups: string[];
  subscriptions: Array<{ subscriptionId: string; displayName: string; managementGroup: string; tags: Record<string, string> }>;
  customerAssignments: string[];
}

/**
 * Demo tenant in the Azure landing-zone shape: Platform (Identity, Management, Connectivity), Landing
 * Zones (Corp-Prod, Corp-NonProd, Online), Sandbox and AI-Agents, ~30 tagged subscriptions and a few
 * customer-owned policy assignments that Parapet must never touch.
 */
export function seedAzureDemoCore(core: AzureCore): DemoInfo {
  const st = core.state;
  st.clear();
  const groups: Array<[string, string, string | undefined]> = [
    ["platform", "Platform", undefined],
    ["identity", "Identity", "platform"],
    ["management", "Management", "platform"],
    ["connectivity", "Connectivity", "platform"],
    ["landing-zones", "Landing Zones", undefined],
    ["corp-prod", "Corp-Prod", "landing-zones"],
    ["corp-nonprod", "Corp-NonProd", "landing-zones"],
    ["online", "Online", "landing-zones"],
    ["sandbox", "Sandbox", undefined],
    ["ai-agents", "AI-Agents", undefined],
  ];
  for (const [name, display, parent] of groups) st.addManagementGroup(name, display, parent, CUSTOMER.id);
  const plan: Array<[string, string, number, Record<string, string>]> = [
    ["identity", "identity", 1, { env: "prod" }],
    ["management", "management", 2, { env: "prod" }],
    ["connectivity", "connectivity-hub", 2, { env: "prod" }],
    ["corp-prod", "corp-prod", 6, { env: "prod", data: "regulated" }],
    ["corp-nonprod", "corp-nonprod", 6, { env: "nonprod" }],
    ["online", "online-prod", 3, { env: "prod" }],
    ["online", "online-dev", 2, { env: "nonprod" }],
    ["sandbox", "sandbox", 4, { env: "sandbox" }],
    ["ai-agents", "agents-prod", 2, { env: "prod", agent: "true" }],
    ["ai-agents", "agents-dev", 2, { env: "nonprod", agent: "true" }],
  ];
  const subs: DemoInfo["subscriptions"] = [];
  for (const [mg, base, count, tags] of plan) {
    for (let i = 1; i <= count; i++) {
      const s = st.addSubscription({
        subscriptionId: guid(core.rand),
        displayName: `${base}-${String(i).padStart(2, "0")}`,
        state: "Enabled",
        tags: { ...tags, costCenter: `cc-${100 + subs.length}` },
        parent: mg,
      });
      subs.push({ subscriptionId: s.subscriptionId, displayName: s.displayName, managementGroup: mg, tags: s.tags });
    }
  }
  // One regulated-data workload sits in Online, so label-based selection differs from the tree.
  const regulated = subs.find((s) => s.displayName === "online-prod-01")!;
  st.setTags(regulated.subscriptionId, { data: "regulated" }, "Merge");
  regulated.tags = st.mustSub(regulated.subscriptionId).tags;

  const assignments: string[] = [];
  const lz = { kind: "mg" as const, mg: "landing-zones" };
  const put = (
    scope: Parameters<AzureState["put"]>[1],
    kind: Parameters<AzureState["put"]>[0],
    name: string,
    properties: Record<string, unknown>,
  ): void => {
    const { resource } = st.put(kind, scope, name, { properties }, CUSTOMER);
    if (kind === "policyAssignments") assignments.push(st.resourceId(resource));
  };
  put(lz, "policyAssignments", "allowed-locations", {
    displayName: "Allowed locations (EU)",
    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${ALLOWED_LOCATIONS}`,
    parameters: { listOfAllowedLocations: { value: ["westeurope", "northeurope", "swedencentral"] } },
    metadata: { assignedBy: "Platform team", category: "General" },
  });
  for (const s of subs.filter((x) => x.managementGroup === "corp-prod" || x.managementGroup === "online")) {
    put({ kind: "sub", sub: s.subscriptionId }, "policyAssignments", "SecurityCenterBuiltIn", {
      displayName: "ASC Default (subscription: " + s.subscriptionId + ")",
      policyDefinitionId: `/providers/Microsoft.Authorization/policySetDefinitions/${SECURITY_BENCHMARK}`,
      metadata: { assignedBy: "Security Center" },
    });
  }
  put(lz, "policyDefinitions", "deny-public-ip", {
    displayName: "Deny public IP addresses",
    mode: "All",
    metadata: { category: "Network", owner: "network-team" },
    policyRule: { if: { field: "type", equals: "Microsoft.Network/publicIPAddresses" }, then: { effect: "deny" } },
  });
  put({ kind: "mg", mg: "corp-prod" }, "policyAssignments", "deny-public-ip", {
    displayName: "Deny public IPs in Corp",
    policyDefinitionId:
      "/providers/Microsoft.Management/managementGroups/landing-zones/providers/Microsoft.Authorization/policyDefinitions/deny-public-ip",
    metadata: { owner: "network-team" },
  });
  put({ kind: "mg", mg: "sandbox" }, "policyAssignments", "audit-custom-rbac", {
    displayName: "Audit custom RBAC roles",
    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${CUSTOM_RBAC_AUDIT}`,
    enforcementMode: "DoNotEnforce",
  });

  const root = `/providers/Microsoft.Management/managementGroups/${st.tenantId}`;
  core.registerApp({
    ...DEMO_APP,
    grants: [
      { role: "Resource Policy Contributor", scope: root },
      { role: "Management Group Reader", scope: root },
      { role: "Reader", scope: root },
    ],
  });
  core.registerApp({ ...DEMO_READER_APP, grants: [{ role: "Reader", scope: root }] });
  core.persister.schedule();
  return {
    tenantId: st.tenantId,
    rootManagementGroup: st.tenantId,
    app: DEMO_APP,
    readerApp: DEMO_READER_APP,
    managementGroups: groups.map((g) => g[0]),
    subscriptions: subs,
    customerAssignments: assignments,
  };
}

import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpCustomConstraint, gcpFragment } from "../compilers/gcp.ts";
import { OCI_SOURCES, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, emptyOn } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const params = z
  .object({
    /** AWS managed policies that grant administrator-equivalent rights. */
    awsDeniedManagedPolicies: z
      .array(
        z
          .string()
          .max(128)
          .regex(/^[A-Za-z0-9+=,.@_-]+$/),
      )
      .max(20)
      .default(["AdministratorAccess", "IAMFullAccess"]),
    /** Roles that may still attach them (besides connector and break-glass). */
    adminRoleArnPatterns: z
      .array(
        z
          .string()
          .max(256)
          .regex(/^arn:aws[a-z-]*:iam::(\*|\d{12}):role\/[A-Za-z0-9+=,.@_/*-]+$/),
      )
      .max(20)
      .default([]),
    /** GCP basic roles whose grant is refused. */
    gcpDeniedRoles: z
      .array(
        z
          .string()
          .max(128)
          .regex(/^roles\/[A-Za-z0-9.]+$/),
      )
      .min(1)
      .max(10)
      .default(["roles/editor", "roles/owner"]),
  })
  .strict();

function celList(values: readonly string[]): string {
  return `[${[...values]
    .sort()
    .map((v) => `'${v}'`)
    .join(", ")}]`;
}

export const noWildcardAdmin = defineControl({
  id: "no-wildcard-admin",
  title: "No wildcard or administrator grants handed out freely",
  rationale:
    "Broad grants such as full administrator access or roles that allow every action are how a small compromise becomes a total one. This control stops administrator-equivalent permissions from being attached or defined outside the few roles that are meant to hold them.",
  category: "identity",
  params,
  frameworks: [
    { framework: "CIS AWS 3.0", ref: "1.16" },
    { framework: "CIS GCP 3.0", ref: "1.5" },
    { framework: "NIST 800-53 r5", ref: "AC-6(1)" },
    { framework: "NIST 800-53 r5", ref: "AC-2(7)" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: 'Attaching the named AWS-managed admin policies is blocked, but an SCP cannot read the content of customer-managed or inline policies, so a hand-written "Action": "*" policy is not prevented.',
      sources: [
        sar("iam", "AttachGroupPolicy, AttachRolePolicy and AttachUserPolicy expose iam:PolicyARN"),
        "AWS managed policy reference, AdministratorAccess — https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
        AWS_DOCS.globalKeys,
        AWS_DOCS.scps,
        AWS_DOCS.scpSyntax,
      ],
      compile(p, ctx) {
        const arns = [...new Set(p.awsDeniedManagedPolicies)].sort().map((n) => `arn:aws:iam::aws:policy/${n}`);
        // An empty list denies nothing; an empty condition value list is not a valid policy.
        if (arns.length === 0) return awsFragment(ctx, []);
        return awsFragment(
          ctx,
          awsDeny(ctx, {
            purpose: "AdminAttach",
            policyType: "SCP",
            actions: ["iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy"],
            condition: { ArnEquals: { "iam:PolicyARN": arns } },
            alsoExempt: p.adminRoleArnPatterns,
            spareAdmins: true,
          }),
        );
      },
    },
    azure: {
      fidelity: "partial",
      gap: 'Custom role definitions granting "*" are denied; assignments of the built-in Owner and Contributor roles are not blocked by Azure Policy.',
      sources: [
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "Custom subscription owner roles should not exist (built-in 10ee2ea2, roleDefinitions/permissions[*].actions[*]) — https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/General/CustomSubscription_OwnerRole_Audit.json",
      ],
      compile(_p, ctx) {
        const actions = "Microsoft.Authorization/roleDefinitions/permissions[*].actions[*]";
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "wildcard-role",
            displayName: "Custom roles cannot grant every action",
            description: 'Denies custom role definitions whose actions include "*".',
            mode: "All",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Authorization/roleDefinitions" },
                { count: { field: actions, where: { field: actions, equals: "*" } }, greater: 0 },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
        ]);
      },
    },
    gcp: {
      fidelity: "partial",
      gap: "Grants of the basic roles are refused; custom roles carrying equally broad permissions are not detected.",
      sources: [
        "Create and manage custom constraints (CEL over resource, method types) — https://cloud.google.com/resource-manager/docs/organization-policy/creating-managing-custom-constraints",
        "Custom constraints for IAM allow policies (iam.googleapis.com/AllowPolicy, RoleNameMatches) — https://cloud.google.com/iam/docs/org-policy-custom-constraints",
      ],
      compile(p, ctx) {
        const cc = gcpCustomConstraint(ctx, {
          slug: "nobasicroles",
          resourceTypes: ["iam.googleapis.com/AllowPolicy"],
          methodTypes: ["CREATE", "UPDATE"],
          condition: `resource.bindings.exists(binding, RoleNameMatches(binding.role, ${celList(p.gcpDeniedRoles)}))`,
          actionType: "DENY",
          displayName: "Parapet: no basic role grants",
          description: `Refuses IAM allow policies that grant ${[...p.gcpDeniedRoles].sort().join(", ")}. Owner: ${ctx.workspaceId}`,
        });
        const constraint = cc.name.split("/").pop()!;
        return gcpFragment(ctx, { customConstraints: [cc], orgPolicies: [{ constraint, rules: [{ enforce: true }] }] });
      },
    },
    oci: {
      fidelity: "detective",
      gap: "OCI offers no preventive hook on policy content; statements granting manage all-resources are found by reading policies and reported, not blocked.",
      sources: [OCI_SOURCES.policyBasics, OCI_SOURCES.subjects],
      compile(_p, ctx) {
        return ociFragment(ctx, []);
      },
    },
  },
  scenarios: [
    {
      kind: "gcp-cel",
      cloud: "gcp",
      name: "granting roles/owner is refused",
      constraint: "nobasicroles",
      resource: { bindings: [{ role: "roles/owner", members: ["user:alice@example.com"] }] },
      expect: "denied",
    },
    {
      kind: "gcp-cel",
      cloud: "gcp",
      name: "granting roles/editor among others is refused",
      constraint: "nobasicroles",
      resource: {
        bindings: [
          { role: "roles/viewer", members: ["user:bob@example.com"] },
          { role: "roles/editor", members: ["group:devs@example.com"] },
        ],
      },
      expect: "denied",
    },
    {
      kind: "gcp-cel",
      cloud: "gcp",
      name: "granting a predefined role is allowed",
      constraint: "nobasicroles",
      resource: { bindings: [{ role: "roles/storage.objectViewer", members: ["user:alice@example.com"] }] },
      expect: "allowed",
    },
    azureRequest(
      "a custom role granting * is denied",
      "write",
      {
        type: "Microsoft.Authorization/roleDefinitions",
        name: "3f1c2a4e-0000-4000-8000-000000000001",
        properties: {
          roleName: "everything",
          type: "CustomRole",
          permissions: [{ actions: ["*"], notActions: [] }],
          assignableScopes: ["/subscriptions/0000"],
        },
      },
      "denied",
    ),
    azureRequest(
      "a custom role with named actions is allowed",
      "write",
      {
        type: "Microsoft.Authorization/roleDefinitions",
        name: "3f1c2a4e-0000-4000-8000-000000000002",
        properties: {
          roleName: "reader-plus",
          type: "CustomRole",
          permissions: [{ actions: ["Microsoft.Storage/storageAccounts/read"], notActions: [] }],
          assignableScopes: ["/subscriptions/0000"],
        },
      },
      "allowed",
    ),
    emptyOn("oci", "OCI compiles nothing preventive (detective only)"),
  ],
  // The AWS expectations follow the denied list: a guardrail that narrows it is proven against what it denies.
  scenariosFor(p) {
    const denied = [...new Set(p.awsDeniedManagedPolicies)].sort();
    const first = denied[0];
    const free = ["ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit"].find((n) => !denied.includes(n));
    const attach = (name: string) => ({ context: { "iam:PolicyARN": `arn:aws:iam::aws:policy/${name}` } });
    const ROLE = "arn:aws:iam::222233334444:role/app";
    return [
      ...denied.flatMap((name) => [
        aws<typeof p>(`attaching ${name} to a role is denied`, "human", "iam:AttachRolePolicy", ROLE, "denied", attach(name)),
        aws<typeof p>(
          `an agent attaching ${name} to a user is denied`,
          "agent",
          "iam:AttachUserPolicy",
          "arn:aws:iam::222233334444:user/bot",
          "denied",
          attach(name),
        ),
      ]),
      ...(free
        ? [
            aws<typeof p>(
              `attaching ${free}, which is not on the list, is allowed`,
              "human",
              "iam:AttachRolePolicy",
              ROLE,
              "allowed",
              attach(free),
            ),
          ]
        : []),
      ...(first
        ? [
            aws<typeof p>(`break-glass may attach ${first}`, "break-glass", "iam:AttachRolePolicy", ROLE, "allowed", attach(first)),
            aws<typeof p>("the connector is never denied", "connector", "iam:AttachRolePolicy", ROLE, "allowed", attach(first)),
            aws<typeof p>(
              `an administrator (the connection's admins class) may attach ${first}`,
              "admin",
              "iam:AttachGroupPolicy",
              "arn:aws:iam::222233334444:group/ops",
              "allowed",
              attach(first),
            ),
          ]
        : []),
    ];
  },
});

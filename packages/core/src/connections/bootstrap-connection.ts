import { stringify } from "yaml";
import {
  awsConnectorPolicyDocument,
  awsConnectorTrustPolicy,
  minimumPermissions as awsPermissions,
} from "@parapet/providers/aws/permissions";
import {
  AZURE_BUILT_IN_ROLE,
  azureCustomRoleDefinition,
  minimumPermissions as azurePermissions,
} from "@parapet/providers/azure/permissions";
import { minimumPermissions as gcpPermissions } from "@parapet/providers/gcp/permissions";
import {
  minimumPermissions as ociPermissions,
  ociBootstrapStatements,
  ociDenyGuardBootstrapChange,
} from "@parapet/providers/oci/permissions";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { workspaceAwsExternalId } from "./aws-external-id.ts";
import type { TCloudName } from "./connections.schema.ts";

interface BootstrapFile {
  name: string;
  language: "yaml" | "json" | "shell" | "text";
  content: string;
}

export interface Bootstrap {
  cloud: TCloudName;
  externalId?: string;
  files: BootstrapFile[];
  permissions: Array<{ permission: string; why: string }>;
}

/**
 * The least-privilege setup a customer runs in their own cloud before connecting, generated from the
 * providers' `minimumPermissions` (the same lists verify() probes), so the two cannot disagree.
 * `parapetPrincipalArn` is the AWS identity Parapet's workers run as.
 */
export async function bootstrapConnection(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  cloud: TCloudName,
  parapetPrincipalArn: string,
): Promise<Bootstrap> {
  switch (cloud) {
    case "aws": {
      const externalId = await workspaceAwsExternalId(deps.prisma, actor.workspaceId);
      const template = {
        AWSTemplateFormatVersion: "2010-09-09",
        Description: "Parapet connector role (least privilege, external id required). Deploy in the management account.",
        Parameters: {
          ParapetPrincipalArn: {
            Type: "String",
            ...(parapetPrincipalArn ? { Default: parapetPrincipalArn } : {}),
            Description: "The AWS identity Parapet assumes this role from",
          },
          ExternalId: {
            Type: "String",
            Default: externalId,
            NoEcho: false,
            Description: "Parapet's external id for this workspace (do not change)",
          },
        },
        Resources: {
          ParapetConnectorRole: {
            Type: "AWS::IAM::Role",
            Properties: {
              RoleName: "ParapetConnector",
              MaxSessionDuration: 3600,
              AssumeRolePolicyDocument: awsConnectorTrustPolicy("PARAPET_PRINCIPAL", "EXTERNAL_ID"),
              Policies: [{ PolicyName: "ParapetGuardrails", PolicyDocument: awsConnectorPolicyDocument() }],
              Tags: [{ Key: "parapet:connector", Value: "true" }],
            },
          },
        },
        Outputs: { RoleArn: { Value: { "Fn::GetAtt": ["ParapetConnectorRole", "Arn"] } } },
      };
      // The trust policy references the parameters rather than literal values.
      const yaml = stringify(template, { lineWidth: 0 })
        .replace("AWS: PARAPET_PRINCIPAL", "AWS: !Ref ParapetPrincipalArn")
        .replace("sts:ExternalId: EXTERNAL_ID", "sts:ExternalId: !Ref ExternalId");
      return {
        cloud,
        externalId,
        files: [
          { name: "parapet-connector.cfn.yaml", language: "yaml", content: yaml },
          {
            name: "deploy.sh",
            language: "shell",
            content: `aws cloudformation deploy --stack-name parapet-connector --template-file parapet-connector.cfn.yaml --capabilities CAPABILITY_NAMED_IAM\naws cloudformation describe-stacks --stack-name parapet-connector --query "Stacks[0].Outputs[?OutputKey=='RoleArn'].OutputValue" --output text\n`,
          },
        ],
        permissions: awsPermissions.map((p) => ({ permission: p.permission, why: p.why })),
      };
    }
    case "azure": {
      const role = azureCustomRoleDefinition("<root-management-group-id>");
      const script = [
        "# Run as a Global Administrator with access elevated to the root management group.",
        'TENANT_ID="<tenant-id>"',
        'ROOT_MG="$TENANT_ID"   # the tenant root management group has the tenant id as its name',
        "az ad app create --display-name parapet-connector --query appId -o tsv > app-id.txt",
        'APP_ID="$(cat app-id.txt)"',
        'az ad sp create --id "$APP_ID"',
        'sed "s/<root-management-group-id>/$ROOT_MG/" parapet-role.json > parapet-role.resolved.json',
        "az role definition create --role-definition @parapet-role.resolved.json",
        'az role assignment create --assignee "$APP_ID" --role "Parapet Guardrails Connector" --scope "/providers/Microsoft.Management/managementGroups/$ROOT_MG"',
        `# Alternative to the custom role: the built-in "${AZURE_BUILT_IN_ROLE}" role at the same scope.`,
        '# Then add a federated credential (preferred) or a client secret: az ad app credential reset --id "$APP_ID"',
        "",
      ].join("\n");
      return {
        cloud,
        files: [
          { name: "parapet-role.json", language: "json", content: `${JSON.stringify(role, null, 2)}\n` },
          { name: "bootstrap.sh", language: "shell", content: script },
        ],
        permissions: azurePermissions.map((p) => ({ permission: p.action, why: p.why })),
      };
    }
    case "gcp": {
      const perms = gcpPermissions.map((p) => p.permission).join(",");
      const script = [
        'ORG_ID="<organization-id>"',
        'PROJECT_ID="<project-for-the-service-account>"',
        'gcloud iam service-accounts create parapet-connector --project "$PROJECT_ID" --display-name "Parapet connector"',
        `gcloud iam roles create parapetConnector --organization "$ORG_ID" --title "Parapet connector" --permissions "${perms}" --stage GA`,
        'gcloud organizations add-iam-policy-binding "$ORG_ID" --member "serviceAccount:parapet-connector@$PROJECT_ID.iam.gserviceaccount.com" --role "organizations/$ORG_ID/roles/parapetConnector"',
        "# Then create a key (or configure workload identity federation):",
        'gcloud iam service-accounts keys create parapet-key.json --iam-account "parapet-connector@$PROJECT_ID.iam.gserviceaccount.com"',
        "",
      ].join("\n");
      return {
        cloud,
        files: [{ name: "bootstrap.sh", language: "shell", content: script }],
        permissions: gcpPermissions.map((p) => ({ permission: p.permission, why: p.why })),
      };
    }
    case "oci": {
      const statements = ociBootstrapStatements("ParapetConnector");
      const guard = ociDenyGuardBootstrapChange();
      const guardText = [
        "Parapet's deny-based guardrails (agent, backup, audit, label, MCP, non-prod and region controls) are IAM deny",
        "statements. When IAM deny policies were enabled in this tenancy, OCI created a root policy that lets only the",
        "administrator who enabled them and the Administrators group write deny statements. Edit that root policy so it",
        "also excepts the Parapet connector user. Replace the statement",
        "",
        `  ${guard.before}`,
        "",
        "with",
        "",
        `  ${guard.after}`,
        "",
        "Verifying the connection reads the root policies and prints this change again with the real OCIDs.",
        "",
      ].join("\n");
      const script = [
        'TENANCY_OCID="<tenancy-ocid>"',
        'oci iam group create --name ParapetConnector --description "Parapet connector"',
        'oci iam user create --name parapet-connector --description "Parapet connector"',
        "# add the user to the group, upload an API signing key, then create the policy:",
        `oci iam policy create --compartment-id "$TENANCY_OCID" --name parapet-connector --description "Parapet connector (least privilege)" --statements '${JSON.stringify(statements)}'`,
        "# IAM deny policies: except the connector in the deny-policy guard (see deny-policy-guard.txt):",
        "#   oci iam policy list --compartment-id \"$TENANCY_OCID\" --all   # find the policy holding target.policy.type='deny'",
        "#   oci iam policy update --policy-id <guard-policy-ocid> --statements '[\"<the new statement>\", <the policy's other statements>]'",
        "",
      ].join("\n");
      return {
        cloud,
        files: [
          { name: "parapet-connector.policy.txt", language: "text", content: `${statements.join("\n")}\n` },
          { name: "deny-policy-guard.txt", language: "text", content: guardText },
          { name: "bootstrap.sh", language: "shell", content: script },
        ],
        permissions: ociPermissions.map((p) => ({ permission: p.permission, why: p.why })),
      };
    }
  }
}

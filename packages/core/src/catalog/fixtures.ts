/**
 * The example connection scenarios run against: one AWS organisation (management account
 * 111122223333, in-scope member 222233334444), one GCP organisation, one Azure tenant, one OCI
 * tenancy, with principal classes defined the way onboarding would. Also used by golden files.
 */
export const SCENARIO_WORKSPACE_ID = "ws_example0001";
export const SCENARIO_GUARDRAIL = { id: "gr_example", version: 1 };
export const SCENARIO_AWS_ACCOUNT = "222233334444";
export const SCENARIO_AWS_EXTERNAL_ACCOUNT = "999988887777";
/** The outside account's own organisation. */
export const SCENARIO_AWS_EXTERNAL_ORG = "o-otherorg999";

export const SCENARIO_FACTS = {
  aws: { orgId: "o-exampleorg1", managementAccountId: "111122223333" },
  azure: { tenantId: "00000000-0000-4000-8000-000000000001", rootManagementGroupId: "contoso-root" },
  gcp: { organizationId: "123456789012", directoryCustomerId: "C03example" },
  oci: { tenancyOcid: "ocid1.tenancy.oc1..aaaaaaaaexampletenancy" },
} as const;

export const SCENARIO_PRINCIPALS = {
  aws: {},
  azure: {
    agents: { groupObjectIds: ["11111111-1111-4111-8111-111111111111"], appIds: [] },
    connector: { groupObjectIds: [], appIds: ["22222222-2222-4222-8222-222222222222"] },
    breakGlass: { groupObjectIds: ["33333333-3333-4333-8333-333333333333"], appIds: [] },
  },
  gcp: {
    agents: ["principalSet://goog/group/agents@example.com"],
    mcpServers: ["principalSet://goog/group/mcp-servers@example.com"],
    nonProd: ["principalSet://goog/group/nonprod@example.com"],
    breakGlass: ["principalSet://goog/group/break-glass@example.com"],
    connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/parapet-connector@parapet-prod.iam.gserviceaccount.com"],
  },
  oci: {
    breakGlass: { groups: ["BreakGlass"], dynamicGroups: [], groupIds: ["ocid1.group.oc1..aaaaaaaabreakglass"], principalIds: [] },
    connector: { groups: ["ParapetConnector"], dynamicGroups: [], groupIds: ["ocid1.group.oc1..aaaaaaaaconnector"], principalIds: [] },
  },
} as const;

import type { OciSecurityPolicy } from "./model.ts";

/**
 * Oracle-managed security zone policies. Ids are the commercial-realm OCIDs Oracle's CIS landing zone
 * module records for these friendly names; descriptions follow the Security Zones policy reference.
 */
export const SECURITY_ZONE_POLICIES: readonly OciSecurityPolicy[] = [
  {
    id: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaa5ocyo7jqjzgjenvccch46buhpaaofplzxlp3xbxfcdwwk2tyrwqa",
    friendlyName: "deny public_buckets",
    displayName: "Deny public buckets",
    description: "Object Storage buckets in a security zone can't be public.",
    category: "Deny public access",
    services: ["objectstorage"],
  },
  {
    id: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaauoi2xnbusvfd4yffdjaaazk64gndp4flumaw3r7vedwndqd6vmrq",
    friendlyName: "deny db_instance_public_access",
    displayName: "Deny database instance public access",
    description: "Databases in a security zone can't be assigned to public subnets. They must use private subnets.",
    category: "Deny public access",
    services: ["database"],
  },
  {
    id: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaa7pgtjyod3pze6wuylgmts6ensywmeplabsxqq2bk4ighps4fqq4a",
    friendlyName: "deny block_volume_without_vault_key",
    displayName: "Deny block volume without vault key",
    description: "Block volumes in a security zone must use a customer-managed master encryption key in the Vault service.",
    category: "Require encryption",
    services: ["blockstorage"],
  },
  {
    id: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaaxxs63ulmtcnxqmcvy6eaozh5jdtiaa2bk7wll5bbdsbnmmoczp5a",
    friendlyName: "deny boot_volume_without_vault_key",
    displayName: "Deny boot volume without vault key",
    description: "Boot volumes in the security zone must use a customer-managed master encryption key in the Vault service.",
    category: "Require encryption",
    services: ["blockstorage"],
  },
  {
    id: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaaqmq4jqcxqbjj5cjzb7t5ira66dctyypq2m2o4psxmx6atp45lyda",
    friendlyName: "deny buckets_without_vault_key",
    displayName: "Deny buckets without vault key",
    description: "Object Storage buckets in a security zone must use a customer-managed master encryption key in the Vault service.",
    category: "Require encryption",
    services: ["objectstorage"],
  },
  {
    id: "ocid1.securityzonessecuritypolicy.oc1..aaaaaaaaff6n52aojbgdg46jpm3kn7nizmh6iwvr7myez7svtfxsfs7irigq",
    friendlyName: "deny file_system_without_vault_key",
    displayName: "Deny file system without vault key",
    description: "File systems in the security zone must use a customer-managed master encryption key in the Vault service.",
    category: "Require encryption",
    services: ["filestorage"],
  },
];

/** Time the catalog entries report as created (the feature's launch), fixed so responses are stable. */
export const CATALOG_TIME = "2021-09-15T00:00:00.000Z";

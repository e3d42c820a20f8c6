/**
 * What the onboarding wizard asks for, per cloud: the root's identifiers (facts the compilers need)
 * and one of the credential kinds the provider accepts. Client-side checks give instant feedback;
 * the API validates again with the providers' own schemas and has the last word.
 */
import type { ApiBody } from "@/modules/shared/lib/api";
import type { Cloud } from "@/modules/shared/lib/contract";

export interface FieldDef {
  name: string;
  label: string;
  help?: string;
  placeholder?: string;
  secret?: boolean;
  multiline?: boolean;
  optional?: boolean;
  pattern?: RegExp;
  patternMessage?: string;
  /** Filled from the bootstrap (e.g. the AWS external id) and not editable. */
  fromBootstrap?: "externalId";
}

interface CredentialKind {
  id: string;
  label: string;
  recommended?: boolean;
  help: string;
  fields: FieldDef[];
}

export interface CloudForm {
  cloud: Cloud;
  rootLabel: string;
  facts: FieldDef[];
  discriminator: "kind" | "type";
  kinds: CredentialKind[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guidField = (name: string, label: string, help?: string): FieldDef => ({
  name,
  label,
  help,
  placeholder: "00000000-0000-0000-0000-000000000000",
  pattern: GUID,
  patternMessage: "must be a GUID like 00000000-0000-0000-0000-000000000000",
});
const AKID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;

// Sovereign clouds and private deployments have their own token authority and may present a private CA.
const AZURE_ENDPOINT_FIELDS: FieldDef[] = [
  {
    name: "authorityHost",
    label: "Authority host",
    optional: true,
    placeholder: "https://login.microsoftonline.com",
    help: "Only for national clouds (login.microsoftonline.us, login.partner.microsoftonline.cn) or a host your operator allowlisted.",
    pattern: /^https:\/\/[^\s]+$/,
    patternMessage: "must be an https URL",
  },
  {
    name: "caPem",
    label: "CA certificate (PEM)",
    optional: true,
    multiline: true,
    placeholder: "-----BEGIN CERTIFICATE-----",
    help: "Only when the endpoints present a certificate from a private CA.",
  },
];

export const CLOUD_FORMS: Record<Cloud, CloudForm> = {
  aws: {
    cloud: "aws",
    rootLabel: "AWS Organization",
    facts: [
      {
        name: "orgId",
        label: "Organization id",
        placeholder: "o-abc123def4",
        pattern: /^o-[a-z0-9]{10,32}$/,
        patternMessage: "must be an organization id like o-abc123def4",
      },
      {
        name: "managementAccountId",
        label: "Management account id",
        placeholder: "111122223333",
        pattern: /^\d{12}$/,
        patternMessage: "must be a 12-digit account id",
      },
    ],
    discriminator: "kind",
    kinds: [
      {
        id: "assume-role",
        label: "Assume the connector role (keyless)",
        recommended: true,
        help: "Parapet assumes the ParapetConnector role the CloudFormation template created, proving the external id.",
        fields: [
          {
            name: "roleArn",
            label: "Connector role ARN",
            placeholder: "arn:aws:iam::111122223333:role/ParapetConnector",
            pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
            patternMessage: "must be an IAM role ARN like arn:aws:iam::111122223333:role/ParapetConnector",
          },
          {
            name: "externalId",
            label: "External id",
            fromBootstrap: "externalId",
            help: "Generated for this connection; the role's trust policy requires it.",
          },
          {
            name: "sourceAccessKeyId",
            label: "Source access key id",
            optional: true,
            help: "Only for self-hosted workers without an ambient AWS identity.",
            pattern: AKID,
            patternMessage: "must be an access key id like AKIA…",
          },
          { name: "sourceSecretAccessKey", label: "Source secret access key", optional: true, secret: true },
        ],
      },
      {
        id: "access-keys",
        label: "Access keys of an IAM user",
        help: "Long-term keys are discouraged; use them only where a cross-account role is impossible.",
        fields: [
          {
            name: "accessKeyId",
            label: "Access key id",
            placeholder: "AKIA…",
            pattern: AKID,
            patternMessage: "must be an access key id like AKIA…",
          },
          { name: "secretAccessKey", label: "Secret access key", secret: true },
        ],
      },
    ],
  },
  azure: {
    cloud: "azure",
    rootLabel: "Azure tenant",
    facts: [
      guidField("tenantId", "Tenant id"),
      {
        name: "rootManagementGroupId",
        label: "Root management group id",
        help: "Usually the tenant id.",
        placeholder: "tenant id or group name",
      },
    ],
    discriminator: "kind",
    kinds: [
      {
        id: "federated",
        label: "Workload identity federation (no secret)",
        recommended: true,
        help: "The app registration trusts Parapet's issuer; paste a federated assertion it accepts.",
        fields: [
          guidField("tenantId", "Tenant id"),
          guidField("clientId", "Application (client) id"),
          { name: "federatedToken", label: "Federated token (JWT)", secret: true, multiline: true },
          ...AZURE_ENDPOINT_FIELDS,
        ],
      },
      {
        id: "client-secret",
        label: "App registration with a client secret",
        help: "Use the secret's value, not its id.",
        fields: [
          guidField("tenantId", "Tenant id"),
          guidField("clientId", "Application (client) id"),
          { name: "clientSecret", label: "Client secret", secret: true },
          ...AZURE_ENDPOINT_FIELDS,
        ],
      },
      {
        id: "access-token",
        label: "ARM access token (demos and tests)",
        help: "A bearer token cannot be refreshed: the connection stops working when it expires.",
        fields: [
          { name: "accessToken", label: "Access token", secret: true, multiline: true },
          { ...guidField("tenantId", "Tenant id"), optional: true },
          AZURE_ENDPOINT_FIELDS[1]!,
        ],
      },
    ],
  },
  gcp: {
    cloud: "gcp",
    rootLabel: "GCP organization",
    facts: [
      {
        name: "organizationId",
        label: "Organization id",
        placeholder: "123456789012",
        pattern: /^\d{1,20}$/,
        patternMessage: "must be the numeric organization id",
      },
      {
        name: "directoryCustomerId",
        label: "Directory customer id",
        placeholder: "C03abc123",
        pattern: /^C[0-9a-z]{5,20}$/,
        patternMessage: "must be a Cloud Identity customer id like C03xxxx",
      },
    ],
    discriminator: "type",
    kinds: [
      {
        id: "service_account_key",
        label: "Service-account key file",
        recommended: true,
        help: "Paste the JSON key of the parapet-connector service account the gcloud script created.",
        fields: [{ name: "key", label: "Key file (JSON)", secret: true, multiline: true, placeholder: '{ "type": "service_account", … }' }],
      },
      {
        id: "access_token",
        label: "OAuth access token (demos and tests)",
        help: "A short-lived token; give the service account it belongs to so guardrails never deny it.",
        fields: [
          { name: "accessToken", label: "Access token", secret: true, multiline: true },
          {
            name: "serviceAccountEmail",
            label: "Connector service account e-mail",
            placeholder: "parapet-connector@project.iam.gserviceaccount.com",
            pattern: /^[^@\s]+@[^@\s]+$/,
            patternMessage: "must be an e-mail address",
          },
        ],
      },
    ],
  },
  oci: {
    cloud: "oci",
    rootLabel: "OCI tenancy",
    facts: [
      {
        name: "tenancyOcid",
        label: "Tenancy OCID",
        placeholder: "ocid1.tenancy.oc1..aaaa…",
        pattern: /^ocid1\.tenancy\.[a-z0-9]+\.\.[a-z0-9]+$/,
        patternMessage: "must be a tenancy OCID",
      },
    ],
    discriminator: "kind",
    kinds: [
      {
        id: "api-key",
        label: "API signing key of the connector user",
        recommended: true,
        help: "OCI has no keyless cross-tenancy role for a control plane; the key is encrypted at rest.",
        fields: [
          {
            name: "userId",
            label: "Connector user OCID",
            placeholder: "ocid1.user.oc1..aaaa…",
            pattern: /^ocid1\.user\./i,
            patternMessage: "must be a user OCID",
          },
          {
            name: "fingerprint",
            label: "Key fingerprint",
            placeholder: "aa:bb:cc:…",
            pattern: /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i,
            patternMessage: "must be 16 colon-separated hex pairs",
          },
          { name: "privateKeyPem", label: "Private key (PEM)", secret: true, multiline: true, placeholder: "-----BEGIN PRIVATE KEY-----" },
          { name: "passphrase", label: "Key passphrase", secret: true, optional: true },
          {
            name: "region",
            label: "Home region",
            placeholder: "eu-frankfurt-1",
            pattern: /^[a-z]{2,}-[a-z]+-[0-9]{1,2}$/,
            patternMessage: "must be a region like eu-frankfurt-1",
          },
        ],
      },
    ],
  },
};

export interface CredentialsDraft {
  name: string;
  endpoint: string;
  kind: string;
  facts: Record<string, string>;
  fields: Record<string, string>;
}

/** Field errors keyed like the API's issue paths (facts.orgId, credentials.roleArn, name…). */
export function validateDraft(cloud: Cloud, d: CredentialsDraft, bootstrap: { externalId?: string }): Record<string, string> {
  const form = CLOUD_FORMS[cloud];
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = "Give the connection a name";
  else if (d.name.length > 100) errors.name = "must be at most 100 characters";
  if (d.endpoint.trim() && !/^https?:\/\/[^\s]+$/.test(d.endpoint.trim())) errors.endpoint = "must be an http(s) URL";
  const check = (prefix: string, f: FieldDef, v: string) => {
    if (f.fromBootstrap) return;
    if (!v.trim()) {
      if (!f.optional) errors[`${prefix}.${f.name}`] = `${f.label} is required`;
      return;
    }
    if (f.pattern && !f.pattern.test(v.trim())) errors[`${prefix}.${f.name}`] = `${f.label} ${f.patternMessage ?? "is not valid"}`;
  };
  for (const f of form.facts) check("facts", f, d.facts[f.name] ?? "");
  const kind = form.kinds.find((k) => k.id === d.kind);
  if (!kind) errors["credentials.kind"] = "Choose how Parapet signs in";
  else for (const f of kind.fields) check("credentials", f, d.fields[f.name] ?? "");
  if (kind?.fields.some((f) => f.fromBootstrap === "externalId") && !bootstrap.externalId)
    errors["credentials.externalId"] = "The external id has not been generated yet";
  if (cloud === "gcp" && d.kind === "service_account_key" && d.fields.key?.trim()) {
    try {
      const k = JSON.parse(d.fields.key) as { client_email?: unknown; private_key?: unknown };
      if (typeof k.client_email !== "string" || typeof k.private_key !== "string")
        errors["credentials.key"] = "The key file needs client_email and private_key";
    } catch {
      errors["credentials.key"] = "The key file is not valid JSON";
    }
  }
  if (cloud === "aws" && d.kind === "assume-role" && !!d.fields.sourceAccessKeyId?.trim() !== !!d.fields.sourceSecretAccessKey?.trim()) {
    errors["credentials.sourceSecretAccessKey"] = "Give both source keys or neither";
  }
  return errors;
}

/** The POST /connections body for a validated draft. */
export function connectionPayload(cloud: Cloud, d: CredentialsDraft, bootstrap: { externalId?: string }): ApiBody<"POST /connections"> {
  const form = CLOUD_FORMS[cloud];
  const kind = form.kinds.find((k) => k.id === d.kind);
  const facts: Record<string, string> = {};
  for (const f of form.facts) facts[f.name] = (d.facts[f.name] ?? "").trim();
  const credentials: Record<string, unknown> = {};
  let principals: Record<string, unknown> | undefined;
  for (const f of kind?.fields ?? []) {
    const raw = f.fromBootstrap ? (bootstrap[f.fromBootstrap] ?? "") : (d.fields[f.name] ?? "");
    const v = f.secret || f.multiline ? raw : raw.trim();
    if (!v.trim() && f.optional) continue;
    credentials[f.name] = v;
  }
  if (cloud === "oci") credentials.tenancyId = facts.tenancyOcid;
  if (cloud === "gcp") {
    let email = "";
    if (d.kind === "service_account_key") {
      const key = JSON.parse(d.fields.key ?? "{}") as Record<string, unknown>;
      credentials.key = key;
      email = typeof key.client_email === "string" ? key.client_email : "";
    } else {
      email = (d.fields.serviceAccountEmail ?? "").trim();
      delete credentials.serviceAccountEmail;
    }
    // Every GCP deny must except the connector, so the wizard names it from the credential.
    if (email) principals = { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`] };
  }
  credentials[form.discriminator] = d.kind;
  if (cloud === "oci") delete credentials.kind;
  return {
    cloud,
    name: d.name.trim(),
    ...(d.endpoint.trim() ? { endpoint: d.endpoint.trim() } : {}),
    facts,
    credentials,
    ...(principals ? { principals } : {}),
  };
}

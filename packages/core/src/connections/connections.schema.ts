import { z } from "zod";
import { ZAwsCredentials } from "@parapet/providers/aws/credentials";
import { ZAzureCredentials } from "@parapet/providers/azure/credentials";
import { ZGcpCredentials } from "@parapet/providers/gcp/credentials";
import { ZOciCredentials } from "@parapet/providers/oci/credentials";

const ZCloud = z.enum(["aws", "azure", "gcp", "oci"]);
export type TCloudName = z.infer<typeof ZCloud>;

/** Per-cloud credential schemas, owned by the providers. */
export const ZCredentialsByCloud = { aws: ZAwsCredentials, azure: ZAzureCredentials, gcp: ZGcpCredentials, oci: ZOciCredentials } as const;

const ZJsonObject = z.record(z.string().max(100), z.unknown());
const ZEndpoint = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2048);

/** Cloud-specific parts (credentials, facts, principals) are checked per cloud by the use-case. */
export const ZCreateConnectionInput = z
  .object({
    cloud: ZCloud,
    name: z.string().trim().min(1).max(200),
    endpoint: ZEndpoint.optional(),
    credentials: ZJsonObject,
    facts: ZJsonObject,
    principals: ZJsonObject.optional(),
    pollIntervalSec: z.number().int().min(30).max(86_400).optional(),
  })
  .strict();
export type TCreateConnectionInput = z.infer<typeof ZCreateConnectionInput>;

export const ZUpdateConnectionInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    principals: ZJsonObject.optional(),
    pollIntervalSec: z.number().int().min(30).max(86_400).optional(),
    limits: z.record(z.string().max(100), z.number().int().min(0).max(1_000_000)).optional(),
    wizardState: ZJsonObject.optional(),
  })
  .strict();
export type TUpdateConnectionInput = z.infer<typeof ZUpdateConnectionInput>;

export const ZRotateCredentialsInput = z.object({ credentials: ZJsonObject }).strict();
export const ZBootstrapQuery = z.object({ cloud: ZCloud });
export const ZDeleteConnectionQuery = z.object({ confirm: z.string().max(200) });

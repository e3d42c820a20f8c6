import { createPrivateKey } from "node:crypto";
import { z } from "zod";

/**
 * What Parapet stores for an OCI connection: an API signing key of the connector user (OCI has no
 * keyless cross-tenancy role assumption for a SaaS control plane, so an API key is the supported
 * credential). The private key is encrypted at rest by core; this schema only bounds and shapes it.
 */
const ocid = (type: string) =>
  z
    .string({ error: `${type} OCID is required` })
    .trim()
    .max(255, `${type} OCID must be at most 255 characters`)
    .regex(new RegExp(`^ocid1\\.${type}\\.[a-z0-9-]+\\.[a-z0-9.-]*[a-z0-9]$`, "i"), {
      message: `must be an OCI ${type} OCID like ocid1.${type}.oc1..aaaa…`,
    });

export const ZOciCredentials = z.object({
  tenancyId: ocid("tenancy"),
  userId: ocid("user"),
  fingerprint: z
    .string({ error: "fingerprint is required" })
    .trim()
    .toLowerCase()
    .regex(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/, {
      message: "fingerprint must be the API key's MD5 fingerprint, 16 colon-separated hex pairs (aa:bb:…)",
    }),
  privateKeyPem: z
    .string({ error: "privateKeyPem is required" })
    .max(16_384, "privateKeyPem must be at most 16384 characters")
    .regex(/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/, {
      message: "privateKeyPem must be a PEM private key (-----BEGIN PRIVATE KEY-----)",
    }),
  passphrase: z.string().max(1024, "passphrase must be at most 1024 characters").optional(),
  /** Home region: IAM writes (policies) are only accepted there. */
  region: z
    .string({ error: "region is required" })
    .trim()
    .max(64, "region must be at most 64 characters")
    .regex(/^[a-z]{2,}-[a-z]+-[0-9]{1,2}$/, { message: "region must be an OCI region identifier like eu-frankfurt-1" }),
});

export type TOciCredentials = z.infer<typeof ZOciCredentials>;

/**
 * Parses the key locally so a pasted public key, a truncated PEM or a wrong passphrase is reported
 * as such, instead of surfacing later as an opaque signing failure inside the SDK.
 */
export function checkPrivateKey(pem: string, passphrase?: string): string | null {
  try {
    const key = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
    if (key.asymmetricKeyType !== "rsa") return `the private key is ${key.asymmetricKeyType ?? "unknown"}, OCI API keys are RSA`;
    return null;
  } catch {
    const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(pem);
    return encrypted
      ? "the private key is encrypted and the passphrase is missing or wrong"
      : "the private key cannot be read as a PEM RSA key";
  }
}

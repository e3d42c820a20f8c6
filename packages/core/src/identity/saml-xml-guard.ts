/**
 * samlify (the SAML library under @better-auth/sso) refuses to parse anything until the application
 * installs a schema validator (its README, "Installation": without one every response is rejected as
 * "potentially vulnerable"). The XSD validators it suggests need Java or native xmllint, which these
 * machines do not have and the dependency rules do not allow adding; this guard refuses what XML
 * attacks need instead: a DOCTYPE (entity expansion, XXE), processing instructions other than the XML
 * declaration, and anything that is not a single SAML protocol element. What follows it is better-auth's
 * own structure checks (one assertion, signature over the assertion itself, audience, recipient, time,
 * replay) and samlify's signature verification.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const SAMLP = /^<(?:[A-Za-z_][\w.-]*:)?(?:Response|LogoutRequest|LogoutResponse|AuthnRequest|EntityDescriptor)[\s>]/;

function samlXmlGuard(xml: string): Promise<string> {
  const body = xml
    .replace(/^\uFEFF/, "")
    .replace(/^\s*<\?xml[^?]*\?>/, "")
    .trimStart();
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return Promise.reject(new Error("SAML: a DOCTYPE or ENTITY declaration is not accepted"));
  if (/<\?/.test(body)) return Promise.reject(new Error("SAML: processing instructions are not accepted"));
  if (!SAMLP.test(body)) return Promise.reject(new Error("SAML: not a SAML protocol message"));
  return Promise.resolve("guarded");
}

let installed = false;
/**
 * Installs the guard into the samlify instance the sso plugin itself loads (resolved from the plugin's
 * own location, so it is the same module, not a second copy).
 */
export function installSamlXmlGuard(): void {
  if (installed) return;
  // Under Node (worker, CLI, tests) this module's own URL. In the web app's Next server bundle
  // `import.meta.url` is not a file URL (the bundler replaces it), so resolve from the app's directory
  // (`next start` runs there, and apps/web depends on @better-auth/sso, which Next loads from node_modules).
  const here: unknown = import.meta.url;
  const base = typeof here === "string" && here.startsWith("file:") ? here : pathToFileURL(join(process.cwd(), "package.json")).href;
  const fromHere = createRequire(base);
  const fromSso = createRequire(fromHere.resolve("@better-auth/sso"));
  const samlify = fromSso("samlify") as { setSchemaValidator(v: { validate: (xml: string) => Promise<string> }): void };
  samlify.setSchemaValidator({ validate: samlXmlGuard });
  installed = true;
}

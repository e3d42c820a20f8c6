"use client";
import { useState, type FormEvent } from "react";
import { CopyButton } from "@/modules/shared/components/copy-button";
import { QueryState } from "@/modules/shared/components/states";
import { useMe } from "@/modules/shared/hooks/use-me";
import { errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { useMembers } from "@/modules/settings/hooks/use-settings";
import { useDeleteProvider, useRegisterOidc, useRegisterSaml, useSaveSsoPolicy, useSso, useVerifyDomain } from "../hooks/use-sso";

const MAPPABLE = ["admin", "author", "approver", "viewer"] as const;
type Mappable = (typeof MAPPABLE)[number];

/** "group = role" lines ↔ the mapping the API takes. Lines that do not parse are reported, not dropped. */
function parseMapping(text: string): { mapping: { group: string; role: Mappable }[]; bad: string[] } {
  const mapping: { group: string; role: Mappable }[] = [];
  const bad: string[] = [];
  for (const line of text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.lastIndexOf("=");
    const group = line.slice(0, at).trim();
    const role = line.slice(at + 1).trim();
    if (at < 1 || !group || !(MAPPABLE as readonly string[]).includes(role)) bad.push(line);
    else mapping.push({ group, role: role as Mappable });
  }
  return { mapping, bad };
}

function RegisterProvider() {
  const oidc = useRegisterOidc();
  const saml = useRegisterSaml();
  const [protocol, setProtocol] = useState<"oidc" | "saml">("oidc");
  const [f, setF] = useState<Record<string, string>>({});
  const set = (k: string) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const m = protocol === "oidc" ? oidc : saml;
  const errs = issuesByField(m.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    const base = { domain: f.domain ?? "", ...(f.providerId ? { providerId: f.providerId } : {}) };
    if (protocol === "oidc")
      oidc.mutate(
        {
          protocol,
          ...base,
          issuer: f.issuer ?? "",
          clientId: f.clientId ?? "",
          clientSecret: f.clientSecret ?? "",
          scopes: f.groupsScope ? [f.groupsScope] : [],
        },
        { onSuccess: () => setF({}) },
      );
    else
      saml.mutate(
        { protocol, ...base, idpEntityId: f.idpEntityId ?? "", ssoUrl: f.ssoUrl ?? "", certificate: f.certificate ?? "" },
        { onSuccess: () => setF({}) },
      );
  }
  const field = (k: string, label: string, o: { type?: string; placeholder?: string; area?: boolean } = {}) => (
    <div className="field">
      <label htmlFor={`sso-${k}`}>{label}</label>
      {o.area ? (
        <textarea id={`sso-${k}`} rows={4} value={f[k] ?? ""} onChange={set(k)} placeholder={o.placeholder} />
      ) : (
        <input
          id={`sso-${k}`}
          type={o.type ?? "text"}
          value={f[k] ?? ""}
          onChange={set(k)}
          placeholder={o.placeholder}
          autoComplete="off"
        />
      )}
      {errs[k] && <span className="field-error">{errs[k]}</span>}
    </div>
  );
  return (
    <form className="stack" onSubmit={submit} aria-label="Register an identity provider">
      <div className="field">
        <label htmlFor="sso-protocol">Protocol</label>
        <select id="sso-protocol" value={protocol} onChange={(e) => setProtocol(e.target.value as "oidc" | "saml")}>
          <option value="oidc">OpenID Connect</option>
          <option value="saml">SAML 2.0</option>
        </select>
      </div>
      <div className="form-grid">
        {field("domain", "Email domain", { placeholder: "example.com" })}
        {field("providerId", "Provider id (optional)", { placeholder: "example-okta" })}
        {protocol === "oidc" ? (
          <>
            {field("issuer", "Issuer URL", { placeholder: "https://example.okta.com" })}
            {field("clientId", "Client ID")}
            {field("clientSecret", "Client secret", { type: "password" })}
            {field("groupsScope", "Extra scope for groups (optional)", { placeholder: "groups" })}
          </>
        ) : (
          <>
            {field("idpEntityId", "IdP entity ID")}
            {field("ssoUrl", "IdP single sign-on URL")}
            {field("certificate", "IdP signing certificate (PEM)", { area: true })}
          </>
        )}
      </div>
      <div className="actions">
        <button className="btn primary small" type="submit" disabled={m.isPending}>
          Register provider
        </button>
        {m.isError && Object.keys(errs).length === 0 && <span className="field-error">{errorMessage(m.error)}</span>}
      </div>
    </form>
  );
}

/** SSO per workspace (issue 18): providers, domain proof, group → role mapping, require SSO. */
export function SsoSection({ canWrite }: { canWrite: boolean }) {
  const q = useSso();
  const me = useMe();
  const members = useMembers();
  const verify = useVerifyDomain();
  const del = useDeleteProvider();
  const save = useSaveSsoPolicy();
  const [mappingText, setMappingText] = useState<string | null>(null);
  const [claim, setClaim] = useState<string | null>(null);
  const isOwner = me.data?.role === "owner";
  const owners = (members.data?.members ?? []).filter((m) => m.role === "owner");
  const errs = issuesByField(save.error);
  return (
    <section className="card" aria-labelledby="sso-h">
      <h2 id="sso-h">Single sign-on</h2>
      <QueryState q={q}>
        {(s) => {
          const text = mappingText ?? s.roleMapping.map((m) => `${m.group} = ${m.role}`).join("\n");
          const parsed = parseMapping(text);
          return (
            <div className="stack">
              {s.providers.length === 0 && <p className="muted">No identity provider yet: members sign in with passwords.</p>}
              {s.providers.map((p) => (
                <div key={p.providerId} className="stack" style={{ borderTop: "1px solid var(--border, #ddd)", paddingTop: 8 }}>
                  <p>
                    <strong>{p.providerId}</strong> · {p.protocol.toUpperCase()} · {p.domain} ·{" "}
                    {p.domainVerified ? (
                      <span className="success">domain verified</span>
                    ) : (
                      <span className="field-error">domain not verified</span>
                    )}
                  </p>
                  <p className="muted">
                    Callback / ACS URL: <code>{p.callbackUrl}</code> <CopyButton text={p.callbackUrl} />
                  </p>
                  {!p.domainVerified && (
                    <p className="muted">
                      Publish a DNS TXT record <code>{p.dnsRecord.name}</code> with the value <code>{p.dnsRecord.value}</code>{" "}
                      <CopyButton text={p.dnsRecord.value} />, then verify.
                    </p>
                  )}
                  {canWrite && (
                    <div className="actions">
                      {!p.domainVerified && (
                        <button className="btn small" type="button" disabled={verify.isPending} onClick={() => verify.mutate(p.providerId)}>
                          Verify domain
                        </button>
                      )}
                      <button className="btn small danger" type="button" disabled={del.isPending} onClick={() => del.mutate(p.providerId)}>
                        Remove
                      </button>
                    </div>
                  )}
                </div>
              ))}
              {(verify.isError || del.isError) && <span className="field-error">{errorMessage(verify.error ?? del.error)}</span>}
              {canWrite && <RegisterProvider />}

              <form
                className="stack"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (parsed.bad.length) return;
                  save.mutate(
                    { roleMapping: parsed.mapping, groupClaim: claim ?? s.groupClaim },
                    { onSuccess: () => (setMappingText(null), setClaim(null)) },
                  );
                }}
              >
                <h3>Groups → roles</h3>
                <p className="muted">
                  One <code>group = role</code> per line (admin, author, approver or viewer; an identity provider never grants owner). A
                  user in none of these groups is refused at sign-in.
                </p>
                <fieldset disabled={!canWrite} className="stack">
                  <div className="field">
                    <label htmlFor="sso-claim">Group claim / attribute</label>
                    <input id="sso-claim" value={claim ?? s.groupClaim} onChange={(e) => setClaim(e.target.value)} />
                    {errs.groupClaim && <span className="field-error">{errs.groupClaim}</span>}
                  </div>
                  <textarea aria-label="Group to role mapping" rows={4} value={text} onChange={(e) => setMappingText(e.target.value)} />
                  {parsed.bad.length > 0 && <span className="field-error">Not understood: {parsed.bad.join("; ")}</span>}
                  {errs.roleMapping && <span className="field-error">{errs.roleMapping}</span>}
                </fieldset>
                {canWrite && (
                  <div className="actions">
                    <button className="btn primary small" type="submit" disabled={save.isPending || parsed.bad.length > 0}>
                      Save mapping
                    </button>
                  </div>
                )}
              </form>

              <div className="stack">
                <h3>Require SSO</h3>
                <p className="muted">
                  When required, password sign-in is refused for the verified domains, except for the break-glass owner. Owners only.
                </p>
                <label>
                  <input
                    type="checkbox"
                    checked={s.requireSso}
                    disabled={!isOwner || save.isPending}
                    onChange={(e) => save.mutate({ requireSso: e.target.checked })}
                  />{" "}
                  Require SSO for this workspace
                </label>
                <div className="field">
                  <label htmlFor="sso-breakglass">Break-glass owner (may still use a password)</label>
                  <select
                    id="sso-breakglass"
                    value={s.breakGlassUserId ?? ""}
                    disabled={!isOwner || save.isPending}
                    onChange={(e) => save.mutate({ breakGlassUserId: e.target.value || null })}
                  >
                    <option value="">None</option>
                    {owners.map((o) => (
                      <option key={o.user.id} value={o.user.id}>
                        {o.user.email}
                      </option>
                    ))}
                  </select>
                </div>
                {(errs.requireSso || errs.breakGlassUserId) && (
                  <span className="field-error">{errs.requireSso ?? errs.breakGlassUserId}</span>
                )}
                {save.isError && Object.keys(errs).length === 0 && <span className="field-error">{errorMessage(save.error)}</span>}
              </div>
            </div>
          );
        }}
      </QueryState>
    </section>
  );
}

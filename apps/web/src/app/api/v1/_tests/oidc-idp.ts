/**
 * A real OpenID Provider for the SSO tests: the `oidc-provider` package (a certified OP implementation)
 * on loopback, port 0, with its built-in login and consent pages (devInteractions: any login name is
 * accepted, which is what a test IdP wants). Accounts and their claims (e-mail, groups) are set by the
 * test. `mode` makes the IdP itself misbehave the way a misconfigured or hostile IdP would: an ID token
 * issued for another client (wrong audience) or already expired, still signed with the IdP's real key.
 */
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";

interface IdpAccount {
  email: string;
  name: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, IdpAccount>;
  mode: { idToken: "normal" | "wrong-audience" | "expired" };
  /** Drives the IdP's own login and consent pages as a browser would; the URL it sends the browser back to. */
  signIn(authorizeUrl: string, login: string): Promise<string>;
  close(): Promise<void>;
}

type Jar = Map<string, string>;
function remember(jar: Jar, res: Response) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const eq = pair!.indexOf("=");
    jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
}
const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** `port` 0 picks a free one; the browser journey passes the one the web app was told to trust. */
export async function startIdp(redirectUris: string[], port = 0): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((r, reject) => server.once("error", reject).listen(port, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, IdpAccount>();
  const clientId = "parapet";
  const clientSecret = "parapet-test-client-secret-0123456789abcdef";
  const mode: TestIdp["mode"] = { idToken: "normal" };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
      { client_id: "another-app", client_secret: "another-app-secret-0123456789abcdef", redirect_uris: ["https://another.example/cb"] },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    findAccount: (_ctx, id) => {
      const a = accounts.get(id);
      if (!a) return undefined;
      return { accountId: id, claims: () => ({ sub: id, email: a.email, email_verified: true, name: a.name, groups: a.groups }) };
    },
    cookies: { keys: ["parapet-test-idp-cookie-key"] },
    pkce: { required: () => true },
  });
  // The IdP's own token minting, bent for the refusal tests (the token is still signed with its key).
  const IdToken = provider.IdToken as {
    prototype: { issue: (o: { use: string; expiresAt?: number }) => Promise<string>; client: unknown };
  };
  const issue = IdToken.prototype.issue;
  IdToken.prototype.issue = async function (this: { client: unknown }, o) {
    if (o.use === "idtoken" && mode.idToken === "expired")
      return issue.call(this, { ...o, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    if (o.use === "idtoken" && mode.idToken === "wrong-audience") {
      const own = this.client;
      this.client = await provider.Client.find("another-app");
      try {
        return await issue.call(this, o);
      } finally {
        this.client = own;
      }
    }
    return issue.call(this, o);
  };
  server.on("request", provider.callback());

  async function signIn(authorizeUrl: string, login: string): Promise<string> {
    const jar: Jar = new Map();
    let url = authorizeUrl;
    for (let hop = 0; hop < 20; hop++) {
      if (!url.startsWith(issuer)) return url;
      const res = await fetch(url, { redirect: "manual", headers: { cookie: cookieHeader(jar) } });
      remember(jar, res);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get("location")!, url).toString();
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) throw new Error(`IdP answered ${res.status}: ${html.slice(0, 300)}`);
      const form = /<form[^>]*action="([^"]+)"/.exec(html);
      if (!form) throw new Error(`IdP page without a form: ${html.slice(0, 300)}`);
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      const body = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt: prompt ?? "consent" });
      const post = await fetch(new URL(form[1]!, url), {
        method: "POST",
        redirect: "manual",
        headers: { cookie: cookieHeader(jar), "content-type": "application/x-www-form-urlencoded" },
        body,
      });
      remember(jar, post);
      if (post.status < 300 || post.status >= 400)
        throw new Error(`IdP form post answered ${post.status}: ${(await post.text()).slice(0, 300)}`);
      url = new URL(post.headers.get("location")!, url).toString();
    }
    throw new Error("IdP sign-in did not finish in 20 hops");
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    mode,
    signIn,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMailTransport } from "./mailer.ts";
import { mailCatcherEnv, startMailCatcher } from "./mail-catcher.ts";

const dir = mkdtempSync(join(tmpdir(), "parapet-catcher-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demo mail catcher", () => {
  it("stores received mail as .eml with a JSON index and lists it on an HTTP page", async () => {
    const catcher = await startMailCatcher({ port: 0, dir });
    try {
      const transport = createMailTransport(catcher.smtpUrl);
      await transport.sendMail({
        from: "Parapet <reports@parapet.test>",
        to: "ciso@acme.test",
        subject: "Acme <b>weekly</b>",
        text: "hello",
        html: "<p>hello</p><script>alert(1)</script>",
      });
      transport.close();
      const [m] = await catcher.waitFor(1);
      expect(m).toMatchObject({ from: "reports@parapet.test", to: ["ciso@acme.test"], subject: "Acme <b>weekly</b>", hasHtml: true });
      expect(readFileSync(join(dir, `${m!.id}.eml`), "utf8")).toContain("Subject: Acme <b>weekly</b>");
      expect(JSON.parse(readFileSync(join(dir, "index.json"), "utf8"))).toEqual([m]);

      const list = await fetch(`${catcher.httpUrl}/`);
      const page = await list.text();
      expect(page).toContain("Acme &lt;b&gt;weekly&lt;/b&gt;");
      expect(page).toContain(`/messages/${m!.id}.html`);
      const html = await fetch(`${catcher.httpUrl}/messages/${m!.id}.html`);
      expect(html.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
      expect(await html.text()).toContain("<p>hello</p>");
      expect(await (await fetch(`${catcher.httpUrl}/api/messages`)).json()).toEqual([m]);
      expect((await fetch(`${catcher.httpUrl}/messages/../../etc.eml`)).status).toBe(404);
      expect(mailCatcherEnv(catcher)).toEqual({ PARAPET_SMTP_URL: catcher.smtpUrl, PARAPET_MAIL_CATCHER_URL: catcher.httpUrl });
    } finally {
      await catcher.close();
    }
    // The index survives a restart, so the demo inbox keeps earlier mail.
    const again = await startMailCatcher({ port: 0, dir });
    expect(again.messages()).toHaveLength(1);
    await again.close();
  });
});

import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Parapet", template: "%s · Parapet" },
  description: "Cloud architecture guardrails, enforced in every cloud.",
};
export const viewport: Viewport = { width: "device-width", initialScale: 1 };
// Every page renders per request: its scripts carry that request's CSP nonce (src/proxy.ts), which a
// page prerendered at build time could not.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

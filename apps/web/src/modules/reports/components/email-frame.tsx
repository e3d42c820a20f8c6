"use client";
import { useRef, useState } from "react";

/**
 * Shows the report email's exact HTML inside the app. A sandboxed srcdoc frame keeps the email's
 * document and styles apart from the app's; without scripts, the parent sizes it to its content.
 */
export function EmailFrame({ html, title }: { html: string; title: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(1200);
  return (
    <iframe
      ref={ref}
      title={title}
      data-testid="report-email"
      srcDoc={html}
      sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
      onLoad={() => {
        const doc = ref.current?.contentDocument;
        if (doc?.body) setHeight(doc.documentElement.scrollHeight + 8);
      }}
      style={{ width: "100%", maxWidth: 720, height, border: "1px solid var(--border, #e5e7eb)", borderRadius: 8, background: "#f3f4f6" }}
    />
  );
}

"use client";
import { useRef, useState } from "react";

/**
 * Shows the report email's exact HTML (served by the API) inside the app. A sandboxed frame keeps the
 * email's document and styles apart from the app's; same-origin without scripts lets the parent size it
 * to its content.
 */
export function EmailFrame({ src, title }: { src: string; title: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(1200);
  return (
    <iframe
      ref={ref}
      title={title}
      data-testid="report-email"
      src={src}
      sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
      onLoad={() => {
        const doc = ref.current?.contentDocument;
        if (doc?.body) setHeight(doc.documentElement.scrollHeight + 8);
      }}
      style={{ width: "100%", maxWidth: 720, height, border: "1px solid var(--border, #e5e7eb)", borderRadius: 8, background: "#f3f4f6" }}
    />
  );
}

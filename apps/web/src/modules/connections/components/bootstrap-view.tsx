"use client";
import { useState } from "react";
import { CopyButton } from "@/modules/shared/components/copy-button";
import type { Bootstrap } from "@/modules/shared/lib/contract";

export function BootstrapView({ b }: { b: Bootstrap }) {
  const [tab, setTab] = useState(0);
  const file = b.files[tab];
  return (
    <div className="stack">
      {b.externalId && (
        <div className="kv">
          <span>External id</span>
          <code data-testid="external-id">{b.externalId}</code>
          <CopyButton text={b.externalId} />
        </div>
      )}
      <div role="tablist" aria-label="Bootstrap files" className="tabs">
        {b.files.map((f, i) => (
          <button
            key={f.name}
            role="tab"
            type="button"
            id={`bf-tab-${i}`}
            aria-selected={i === tab}
            aria-controls={`bf-panel-${i}`}
            tabIndex={i === tab ? 0 : -1}
            onClick={() => setTab(i)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight") setTab((tab + 1) % b.files.length);
              if (e.key === "ArrowLeft") setTab((tab - 1 + b.files.length) % b.files.length);
            }}
          >
            {f.name}
          </button>
        ))}
      </div>
      {file && (
        <div role="tabpanel" id={`bf-panel-${tab}`} aria-labelledby={`bf-tab-${tab}`}>
          <div className="code-head">
            <span className="muted small">{file.language}</span>
            <span style={{ display: "flex", gap: 8 }}>
              <CopyButton text={file.content} label="Copy file" />
              <a className="btn small" download={file.name} href={`data:text/plain;charset=utf-8,${encodeURIComponent(file.content)}`}>
                Download
              </a>
            </span>
          </div>
          <pre className="code" data-testid="bootstrap-file">
            {file.content}
          </pre>
        </div>
      )}
      <details>
        <summary>Why each permission is needed ({b.permissions.length})</summary>
        <div className="table-wrap">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Permission</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {b.permissions.map((p) => (
                <tr key={p.permission}>
                  <td>
                    <code>{p.permission}</code>
                  </td>
                  <td>{p.why}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

"use client";
import type { ReactNode } from "react";
import { errorMessage } from "../lib/api";

export function Loading({ label = "Loading…", rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" className="loading">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 12}%` }} aria-hidden="true" />
      ))}
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="muted">{children}</div>}
      {action && <div style={{ marginTop: 12 }}>{action}</div>}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="error" role="alert">
      <span>{errorMessage(error)}</span>
      {retry && (
        <button type="button" className="btn small" onClick={retry} style={{ marginLeft: 12 }}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders the right state for a query: loading, error, empty, or the content. */
export function QueryState<T>({
  q,
  empty,
  isEmpty,
  children,
  loadingRows,
}: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: ReactNode;
  isEmpty?: (d: T) => boolean;
  children: (d: T) => ReactNode;
  loadingRows?: number;
}) {
  if (q.isPending) return <Loading rows={loadingRows} />;
  if (q.isError || q.data === undefined) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  if (empty && isEmpty?.(q.data)) return <>{empty}</>;
  return <>{children(q.data)}</>;
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

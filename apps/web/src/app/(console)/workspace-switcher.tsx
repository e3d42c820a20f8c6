"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiCall, errorMessage } from "@/modules/shared/lib/api";

/** For someone in several workspaces: switches the session, then reloads every page's data for the new one. */
export function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: { id: string; name: string; role: string }[] }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function pick(id: string) {
    if (id === current) return;
    setPending(true);
    setError(null);
    try {
      await apiCall("POST /me/workspace", { body: { workspaceId: id } });
      // Nothing cached from the previous workspace may show in the next one.
      qc.clear();
      router.replace("/");
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }
  return (
    <span className="ws" data-testid="workspace-name">
      <label htmlFor="ws-switch" className="sr-only">
        Workspace
      </label>
      <select id="ws-switch" value={current} disabled={pending} onChange={(e) => void pick(e.target.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

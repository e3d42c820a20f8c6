import type { Metadata } from "next";
import { DRIFT_KINDS } from "@parapet/core/drift/drift.schema";
import { DriftList } from "@/modules/drift/components/drift-list";
import { oneOf } from "@/modules/shared/lib/contract";

export const metadata: Metadata = { title: "Drift" };
export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  return (
    <DriftList
      filters={{
        status: oneOf(["open", "resolved"], sp.status),
        kind: oneOf(DRIFT_KINDS, sp.kind),
        connectionId: sp.connectionId,
        guardrailId: sp.guardrailId,
      }}
    />
  );
}

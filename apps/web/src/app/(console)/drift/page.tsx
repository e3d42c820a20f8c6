import type { Metadata } from "next";
import { DriftList } from "@/modules/drift/components/drift-list";

export const metadata: Metadata = { title: "Drift" };
export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  return <DriftList filters={{ status: sp.status, kind: sp.kind, connectionId: sp.connectionId, guardrailId: sp.guardrailId }} />;
}

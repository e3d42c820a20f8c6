import type { Metadata } from "next";
import { DriftDetailView } from "@/modules/drift/components/drift-detail";

export const metadata: Metadata = { title: "Drift finding" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DriftDetailView id={id} />;
}

import type { Metadata } from "next";
import { ConnectionDetail } from "@/modules/connections/components/connection-detail";

export const metadata: Metadata = { title: "Connection" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ConnectionDetail id={id} />;
}

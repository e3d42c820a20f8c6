import type { Metadata } from "next";
import { GuardrailDetailView } from "@/modules/guardrails/components/guardrail-detail";

export const metadata: Metadata = { title: "Guardrail" };
export const dynamic = "force-dynamic";

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const { id } = await params;
  const { created } = await searchParams;
  return <GuardrailDetailView id={id} created={created === "1"} />;
}

import type { Metadata } from "next";
import { NewGuardrail } from "@/modules/guardrails/components/new-guardrail";

export const metadata: Metadata = { title: "New guardrail" };
export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<{ control?: string }> }) {
  const { control } = await searchParams;
  return <NewGuardrail controlId={control ?? null} />;
}

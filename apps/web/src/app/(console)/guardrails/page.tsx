import type { Metadata } from "next";
import { GuardrailList } from "@/modules/guardrails/components/guardrail-list";

export const metadata: Metadata = { title: "Guardrails" };

export default function Page() {
  return <GuardrailList />;
}

import type { Metadata } from "next";
import { ExemptionsPage } from "@/modules/exemptions/components/exemptions-page";

export const metadata: Metadata = { title: "Exemptions" };

export default function Page() {
  return <ExemptionsPage />;
}

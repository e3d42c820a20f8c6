import type { Metadata } from "next";
import { DenialsPage } from "@/modules/denials/components/denials-page";

export const metadata: Metadata = { title: "Denials" };

export default function Page() {
  return <DenialsPage />;
}

import type { Metadata } from "next";
import { EnvironmentsPage } from "@/modules/environments/components/environments-page";

export const metadata: Metadata = { title: "Environments" };

export default function Page() {
  return <EnvironmentsPage />;
}

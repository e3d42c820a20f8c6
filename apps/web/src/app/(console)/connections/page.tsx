import type { Metadata } from "next";
import { ConnectionsPage } from "@/modules/connections/components/connections-page";

export const metadata: Metadata = { title: "Connections" };

export default function Page() {
  return <ConnectionsPage />;
}

import type { Metadata } from "next";
import { env } from "@/env";
import { ReportsPage } from "@/modules/reports/components/reports-page";

export const metadata: Metadata = { title: "Reports" };
export const dynamic = "force-dynamic";

/** The demo inbox's address is server configuration; everything else the page reads through the API. */
export default function Page() {
  return <ReportsPage inbox={env().PARAPET_MAIL_CATCHER_URL ?? null} />;
}

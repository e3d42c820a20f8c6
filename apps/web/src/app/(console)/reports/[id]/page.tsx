import type { Metadata } from "next";
import { ReportDetail, ReportPreview } from "@/modules/reports/components/report-detail";

export const metadata: Metadata = { title: "Report" };

/** One report, as the very HTML the email carries; `/reports/preview` is this week's, built now and not stored. */
export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return id === "preview" ? <ReportPreview /> : <ReportDetail id={id} />;
}

import type { Metadata } from "next";
import { AuditLog } from "@/modules/audit/components/audit-log";

export const metadata: Metadata = { title: "Audit log" };

export default function Page() {
  return <AuditLog />;
}

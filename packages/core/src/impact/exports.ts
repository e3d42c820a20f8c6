/**
 * Each cloud's audit-log export as customers already have it, parsed into normalised events (the CLI's
 * offline replay). `Record<TCloud, …>`: a cloud without a parser fails the type check.
 */
import type { AuditEvent } from "@parapet/providers/contract";
import { parseAwsAuditExport } from "@parapet/providers/aws/audit-records";
import { parseAzureAuditExport } from "@parapet/providers/azure/audit-records";
import { parseGcpAuditExport } from "@parapet/providers/gcp/audit-records";
import { parseOciAuditExport } from "@parapet/providers/oci/audit-records";
import type { TCloud } from "../catalog/types.ts";

type TExportParser = (text: string) => { events: AuditEvent[]; skipped: Record<string, number> };

export const AUDIT_EXPORT_PARSERS: Record<TCloud, TExportParser> = {
  // CloudTrail's delivered files: {"Records":[...]} (gzipped files are decompressed by the caller).
  aws: (text) => parseAwsAuditExport(text),
  // The list API's {value:[...]}, `az monitor activity-log list` output, or the diagnostic export {"records":[...]}.
  azure: (text) => parseAzureAuditExport(text),
  // `gcloud logging read --format=json` output, or a sink's newline-delimited JSON.
  gcp: (text) => parseGcpAuditExport(text),
  // `oci audit event list` output ({"data":[...]}) or the API's bare array.
  oci: (text) => parseOciAuditExport(text),
};

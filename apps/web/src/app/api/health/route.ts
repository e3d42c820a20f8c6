import { checkHealth } from "@/server/health";

export const dynamic = "force-dynamic";

/** Liveness and dependencies: 200 when database, Redis and at least one worker are up, else 503. */
export async function GET() {
  const report = await checkHealth();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}

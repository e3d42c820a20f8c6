"use client";
import { useState, type FormEvent } from "react";
import { errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { useUpdateConnection } from "../hooks/use-connections";

interface OrgTrail {
  bucket: string;
  prefix?: string;
  regions: string[];
}
interface Aggregator {
  name: string;
  region: string;
}

function current(auditSource: unknown): OrgTrail | null {
  const t = (auditSource as { orgTrail?: OrgTrail } | null)?.orgTrail;
  return t && typeof t.bucket === "string" ? t : null;
}
function currentAggregator(auditSource: unknown): Aggregator | null {
  const a = (auditSource as { configAggregator?: Aggregator } | null)?.configAggregator;
  return a && typeof a.name === "string" ? a : null;
}

/**
 * Where "Would have blocked" reads an AWS organisation's history. CloudTrail's event history answers only for
 * the management account, where SCPs never apply, so a replay that matters reads the organization trail's
 * log files; the connector's policy then needs read access to that bucket only.
 */
export function AwsAuditSourceCard({ id, auditSource, canWrite }: { id: string; auditSource: unknown; canWrite: boolean }) {
  const trail = current(auditSource);
  const aggregator = currentAggregator(auditSource);
  const update = useUpdateConnection(id);
  const [aggName, setAggName] = useState(aggregator?.name ?? "");
  const [aggRegion, setAggRegion] = useState(aggregator?.region ?? "us-east-1");
  const [bucket, setBucket] = useState(trail?.bucket ?? "");
  const [prefix, setPrefix] = useState(trail?.prefix ?? "");
  const [regions, setRegions] = useState((trail?.regions ?? ["us-east-1"]).join(", "));
  const [saved, setSaved] = useState<string | null>(null);
  const server = issuesByField(update.error);
  const fieldError = (k: string) => Object.entries(server).find(([f]) => f.startsWith(`auditSource.orgTrail.${k}`))?.[1];
  const aggError = (k: string) => Object.entries(server).find(([f]) => f.startsWith(`auditSource.configAggregator.${k}`))?.[1];

  function save(e: FormEvent) {
    e.preventDefault();
    const list = regions
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean);
    update.mutate(
      {
        auditSource: {
          orgTrail: { bucket: bucket.trim(), ...(prefix.trim() ? { prefix: prefix.trim() } : {}), regions: list },
          ...(aggName.trim() ? { configAggregator: { name: aggName.trim(), region: aggRegion.trim() } } : {}),
        },
      },
      { onSuccess: () => setSaved("Saved: replays read the organization trail's files.") },
    );
  }

  return (
    <section className="card" data-testid="audit-source">
      <h2>Audit log for impact replays</h2>
      <p className="muted small">
        {trail ? (
          <>
            Replays read the organization trail in <code>{trail.bucket}</code>
            {trail.prefix ? (
              <>
                {" "}
                under <code>{trail.prefix}</code>
              </>
            ) : null}{" "}
            for {trail.regions.join(", ")}.
          </>
        ) : (
          "Not set: replays read CloudTrail's event history of the management account only, where SCPs never apply. Name the organization trail's bucket to replay every account."
        )}
      </p>
      <p className="muted small" data-testid="audit-source-tags">
        {aggregator ? (
          <>
            Principal tags come from the AWS Config aggregator <code>{aggregator.name}</code> in {aggregator.region}.
          </>
        ) : (
          "Principal tags: not read. Guardrails that test a role's tags (agent=true…) cannot judge those calls; name an AWS Config aggregator over the organization (the connector needs config:SelectAggregateResourceConfig on it)."
        )}
      </p>
      {canWrite && (
        <form onSubmit={save} className="form-grid" noValidate>
          <div className="field">
            <label htmlFor="trail-bucket">Trail bucket</label>
            <input id="trail-bucket" value={bucket} maxLength={63} onChange={(e) => setBucket(e.target.value)} />
            {fieldError("bucket") && <span className="field-error">{fieldError("bucket")}</span>}
          </div>
          <div className="field">
            <label htmlFor="trail-prefix">Key prefix (optional)</label>
            <input id="trail-prefix" value={prefix} maxLength={200} onChange={(e) => setPrefix(e.target.value)} />
            {fieldError("prefix") && <span className="field-error">{fieldError("prefix")}</span>}
          </div>
          <div className="field">
            <label htmlFor="trail-regions">Regions</label>
            <input id="trail-regions" value={regions} onChange={(e) => setRegions(e.target.value)} placeholder="us-east-1, eu-west-1" />
            {fieldError("regions") && <span className="field-error">{fieldError("regions")}</span>}
          </div>
          <div className="field">
            <label htmlFor="agg-name">Config aggregator (optional, for principal tags)</label>
            <input id="agg-name" value={aggName} maxLength={256} onChange={(e) => setAggName(e.target.value)} />
            {aggError("name") && <span className="field-error">{aggError("name")}</span>}
          </div>
          <div className="field">
            <label htmlFor="agg-region">Aggregator Region</label>
            <input id="agg-region" value={aggRegion} maxLength={30} onChange={(e) => setAggRegion(e.target.value)} />
            {aggError("region") && <span className="field-error">{aggError("region")}</span>}
          </div>
          <div className="actions">
            <button className="btn small" type="submit" disabled={update.isPending}>
              Save audit source
            </button>
            {trail && (
              <button
                className="btn small ghost"
                type="button"
                disabled={update.isPending}
                onClick={() => update.mutate({ auditSource: {} }, { onSuccess: () => setSaved("Cleared.") })}
              >
                Clear
              </button>
            )}
          </div>
          {saved && !update.isError && (
            <p className="success" role="status">
              {saved}
            </p>
          )}
          {update.isError && Object.keys(server).length === 0 && <p className="error">{errorMessage(update.error)}</p>}
        </form>
      )}
    </section>
  );
}

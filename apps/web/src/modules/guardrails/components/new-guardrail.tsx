"use client";
import Link from "next/link";
import { FidelityBadge } from "@/modules/shared/components/badges";
import { Empty, ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { CLOUD_NAME } from "@/modules/shared/lib/format";
import { CLOUDS } from "@/modules/shared/lib/contract";
import { useControl } from "../hooks/use-catalog";
import { GuardrailForm } from "./guardrail-form";

export function NewGuardrail({ controlId }: { controlId: string | null }) {
  const control = useControl(controlId);
  const canWrite = useCan("guardrail", "write");
  // Every state keeps the page's heading, so the page is named (and findable) before a control is chosen.
  const heading = <PageHeader title="New guardrail" subtitle="A guardrail starts from a control in the catalog." />;
  if (!controlId) {
    return (
      <>
        {heading}
        <Empty
          title="Pick a control first"
          action={
            <Link className="btn primary" href="/guardrails/catalog">
              Open the catalog
            </Link>
          }
        />
      </>
    );
  }
  if (control.isPending)
    return (
      <>
        {heading}
        <Loading rows={6} />
      </>
    );
  if (control.isError)
    return (
      <>
        {heading}
        <ErrorState error={control.error} retry={() => void control.refetch()} />
      </>
    );
  const c = control.data;
  return (
    <>
      <PageHeader
        title={`New guardrail: ${c.title}`}
        subtitle={
          <span className="fidelity-inline">
            {CLOUDS.map((cloud) => (
              <span key={cloud}>
                {CLOUD_NAME[cloud]} <FidelityBadge fidelity={c.fidelity[cloud].fidelity} />
              </span>
            ))}
          </span>
        }
      />
      <p className="muted">{c.rationale}</p>
      {!canWrite && <p className="warn-box">Your role can read guardrails but not create them.</p>}
      <GuardrailForm control={c} readOnly={!canWrite} />
    </>
  );
}

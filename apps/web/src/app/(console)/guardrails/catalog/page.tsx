import type { Metadata } from "next";
import { CatalogBrowser } from "@/modules/guardrails/components/catalog-browser";
import { PageHeader } from "@/modules/shared/components/states";

export const metadata: Metadata = { title: "Control catalog" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Control catalog"
        subtitle="Each control is one intent with a compiler per cloud. Fidelity says honestly how well each cloud can enforce it."
      />
      <CatalogBrowser />
    </>
  );
}

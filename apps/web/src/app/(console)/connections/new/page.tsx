import type { Metadata } from "next";
import { PageHeader } from "@/modules/shared/components/states";
import { OnboardingWizard } from "@/modules/connections/components/onboarding-wizard";

export const metadata: Metadata = { title: "Connect a cloud" };
export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<{ cloud?: string; step?: string }> }) {
  const { cloud, step } = await searchParams;
  return (
    <>
      <PageHeader title="Connect a cloud" subtitle="Least-privilege access, verified live, previewed before anything is enforced." />
      <OnboardingWizard cloud={cloud} step={step} />
    </>
  );
}

import type { Metadata } from "next";
import { PageHeader } from "@/modules/shared/components/states";
import { OnboardingWizard } from "@/modules/connections/components/onboarding-wizard";

export const metadata: Metadata = { title: "Connection setup" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="Connect a cloud" subtitle="Resume where you left off; every step is saved." />
      <OnboardingWizard connectionId={id} />
    </>
  );
}

"use client";
import { useRouter } from "next/navigation";
import { EnrolMfa } from "@/modules/security/components/enrol-mfa";

/** Enrolment, then on into the console (which no longer sends this session here). */
export function EnrolGate() {
  const router = useRouter();
  return (
    <EnrolMfa
      onDone={() => {
        router.replace("/");
        router.refresh();
      }}
    />
  );
}

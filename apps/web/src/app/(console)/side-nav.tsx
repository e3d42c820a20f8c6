"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

// Only pages that exist are listed; each later page adds itself here.
const ITEMS = [{ href: "/", label: "Overview" }] as const;

export function SideNav() {
  const path = usePathname();
  return (
    <nav>
      {ITEMS.map((i) => (
        <Link key={i.href} href={i.href} aria-current={path === i.href ? "page" : undefined}>
          {i.label}
        </Link>
      ))}
    </nav>
  );
}

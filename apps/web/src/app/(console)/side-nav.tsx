"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";

// Only pages that exist are listed; each later page adds itself here.
const ITEMS = [
  { href: "/", label: "Overview" },
  { href: "/guardrails", label: "Guardrails" },
  { href: "/connections", label: "Connections" },
  { href: "/environments", label: "Environments" },
  { href: "/drift", label: "Drift" },
  { href: "/denials", label: "Denials" },
  { href: "/approvals", label: "Approvals" },
  { href: "/exemptions", label: "Exemptions" },
  { href: "/audit", label: "Audit log" },
  { href: "/reports", label: "Reports" },
  { href: "/settings", label: "Settings" },
] as const;

function active(path: string, href: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

export function SideNav() {
  const path = usePathname();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="nav-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen((o) => !o)}>
        Menu
      </button>
      <nav id="main-nav" className={open ? "open" : undefined} aria-label="Sections">
        {ITEMS.map((i) => (
          <Link key={i.href} href={i.href} aria-current={active(path, i.href) ? "page" : undefined} onClick={() => setOpen(false)}>
            {i.label}
          </Link>
        ))}
      </nav>
    </>
  );
}

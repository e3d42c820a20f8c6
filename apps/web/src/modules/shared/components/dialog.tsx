"use client";
import { useEffect, useRef, type ReactNode } from "react";

/** A modal built on <dialog>: the browser handles focus trapping, Escape and the backdrop. */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-label={title} onClose={onClose} onCancel={onClose}>
      <div className="dialog-head">
        <h2>{title}</h2>
        <button type="button" className="btn small ghost" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      {open && children}
    </dialog>
  );
}

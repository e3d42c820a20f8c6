"use client";
import { useState } from "react";
import { errorMessage } from "@/modules/shared/lib/api";
import type { ReportSchedule } from "@/modules/shared/lib/contract";
import { useUpdateReportSchedule } from "../hooks/use-reports";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export type ScheduleView = ReportSchedule;

/** When the weekly report goes out, in the workspace's time zone; editable with settings:write. */
export function ScheduleForm({ schedule, canEdit }: { schedule: ScheduleView; canEdit: boolean }) {
  const update = useUpdateReportSchedule();
  const [day, setDay] = useState(schedule.reportDay);
  const [hour, setHour] = useState(schedule.reportHour);
  const [tz, setTz] = useState(schedule.timezone);
  const [state, setState] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = `Every ${DAYS[schedule.reportDay]} at ${String(schedule.reportHour).padStart(2, "0")}:00 (${schedule.timezone}).`;
  return (
    <div className="stack">
      <p data-testid="report-schedule">
        {summary} Next: {schedule.nextRuns[0]?.local ?? "–"}.
      </p>
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setState(null);
            update
              .mutateAsync({ timezone: tz, reportDay: day, reportHour: hour })
              .then((s) => setState({ ok: true, text: `Saved. Next report: ${s.nextRuns[0]?.local ?? "–"}.` }))
              .catch((err: unknown) => setState({ ok: false, text: errorMessage(err) }))
              .finally(() => setBusy(false));
          }}
        >
          <label>
            Day{" "}
            <select value={day} onChange={(e) => setDay(Number(e.target.value))}>
              {DAYS.map((d, i) => (
                <option key={d} value={i}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <label>
            Hour{" "}
            <select value={hour} onChange={(e) => setHour(Number(e.target.value))}>
              {Array.from({ length: 24 }, (_, h) => (
                <option key={h} value={h}>
                  {String(h).padStart(2, "0")}:00
                </option>
              ))}
            </select>
          </label>
          <label>
            Time zone <input value={tz} onChange={(e) => setTz(e.target.value)} maxLength={64} aria-label="Time zone" />
          </label>
          <button type="submit" className="btn small" disabled={busy}>
            Save schedule
          </button>
        </form>
      )}
      {state && (
        <p role={state.ok ? "status" : "alert"} className={state.ok ? "success" : "error"}>
          {state.text}
        </p>
      )}
    </div>
  );
}

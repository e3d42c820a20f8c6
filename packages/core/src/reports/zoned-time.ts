/**
 * Wall-clock arithmetic in an IANA time zone using only Intl (no clock, no dependency): reports are
 * scheduled and labelled in the workspace's local time, and their periods must stay correct across
 * daylight-saving changes (a "week" is 7 local days, which is 167 or 169 hours twice a year).
 */

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function localParts(date: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
}

/** Offset of the zone from UTC at an instant, in minutes (e.g. +60 for Berlin in winter). */
function offsetMinutes(ms: number, timeZone: string): number {
  const p = localParts(new Date(ms), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/**
 * The instant at which the zone's clock shows the given local time. A time skipped by a spring-forward
 * gap resolves to the instant just after the gap (02:30 → 03:30), like cron does; a repeated time in
 * the autumn resolves to its first occurrence.
 */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Two candidates from the offsets on either side of a possible transition; prefer the earliest
  // one whose local rendering matches the requested wall time.
  const candidates = [
    ...new Set([wall - offsetMinutes(wall - 86_400_000, timeZone) * 60_000, wall - offsetMinutes(wall + 86_400_000, timeZone) * 60_000]),
  ].sort((a, b) => a - b);
  for (const c of candidates) {
    const p = localParts(new Date(c), timeZone);
    if (p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute) return new Date(c);
  }
  // In a gap: the later offset applied to the wall time lands after the gap.
  return new Date(Math.max(...candidates));
}

/** "YYYY-MM-DD" of the local date at an instant. */
export function localDateString(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** Adds calendar days to a "YYYY-MM-DD" date. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The same local clock time n calendar days later (n may be negative). */
export function addLocalDays(date: Date, n: number, timeZone: string): Date {
  const p = localParts(date, timeZone);
  const [y, m, d] = addDays(`${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`, n)
    .split("-")
    .map(Number) as [number, number, number];
  return zonedTime(y, m, d, p.hour, p.minute, timeZone);
}

/** The start of the local hour containing the instant (report periods end on a whole hour). */
export function startOfLocalHour(date: Date, timeZone: string): Date {
  // Offsets are whole minutes in every zone in use, so only the local minute needs removing.
  const ms = date.getTime();
  return new Date(ms - (((ms % 60_000) + 60_000) % 60_000) - localParts(date, timeZone).minute * 60_000);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "25 Nov 2026" */
export function formatLocalDate(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone);
  return `${p.day} ${MONTHS[p.month - 1]} ${p.year}`;
}

/** "25 Nov" */
export function formatShortDay(day: string): string {
  const [, m, d] = day.split("-").map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]}`;
}

/** "25 Nov 2026 08:00" in the zone. */
export function formatLocalDateTime(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone);
  return `${p.day} ${MONTHS[p.month - 1]} ${p.year} ${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

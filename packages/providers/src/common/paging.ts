/** One page of a list call: its items and the token of the next page (absent or empty at the end). */
export interface Page<T> {
  items: readonly T[] | undefined;
  next?: string | null;
}

/**
 * Follows continuation tokens to the end, one `fetch` per page (each page its own recorded, retried
 * call, so a failure resumes from that page). `onRepeat`, when given, turns a token seen before into
 * an error instead of an endless loop.
 */
export async function collectPages<T>(
  fetch: (token: string | undefined) => Promise<Page<T>>,
  onRepeat?: (token: string) => Error,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...(page.items ?? []));
    token = page.next || undefined;
    if (token !== undefined && onRepeat) {
      if (seen.has(token)) throw onRepeat(token);
      seen.add(token);
    }
  } while (token !== undefined);
  return out;
}

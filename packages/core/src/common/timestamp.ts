import { z } from "zod";

/**
 * An ISO 8601 instant with an offset, within years 1970–9999. Zod alone accepts year 0000 and
 * +275760 extended years, which PostgreSQL's timestamp type cannot hold: the query then failed with
 * "date/time field value out of range" (a 500) instead of a 422 naming the field.
 */
export const ZIsoTimestamp = z.iso.datetime({ offset: true }).refine(
  (s) => {
    const y = new Date(s).getUTCFullYear();
    return y >= 1970 && y <= 9999;
  },
  { message: "must be a date between 1970 and 9999" },
);

/** Usage lines of the operator commands, kept apart so listing them never loads the database package. */
export const OPS_USAGE = {
  audit: {
    usage: "parapet audit verify|checkpoint --workspace <slug>",
    summary:
      "verify a workspace's keyed audit chain against its latest checkpoint (reads DATABASE_URL; exit 1 at the first broken link), or checkpoint its head now",
  },
  keys: {
    usage: "parapet keys rotate [--workspace <slug>]",
    summary: "re-wrap every sealed credential and webhook secret under PARAPET_MASTER_KEY (old keys from PARAPET_MASTER_KEYS_OLD)",
  },
} as const;

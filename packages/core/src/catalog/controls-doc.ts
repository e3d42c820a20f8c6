import { listControls } from "./catalog.ts";
import { CLOUDS, type TCloud, type TControl } from "./types.ts";

/**
 * docs/controls.md, generated from the catalog: per control and cloud, the fidelity, the gap sentence
 * and the sources the compiler relies on. `pnpm controls:doc` rewrites it; a unit test fails when the
 * committed file differs, so the document cannot drift from the code.
 */

const CLOUD_NAMES: Record<TCloud, string> = { aws: "AWS", azure: "Azure", gcp: "GCP", oci: "OCI" };

/** `title — URL` as a Markdown link; anything else verbatim. */
function sourceLink(source: string): string {
  const i = source.lastIndexOf(" — ");
  if (i === -1) return escape(source);
  const url = source.slice(i + 3).trim();
  return /^https:\/\/\S+$/.test(url) ? `[${escape(source.slice(0, i))}](${url})` : escape(source);
}

function escape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function controlSection(c: TControl): string {
  const lines = [
    `<a id="${c.id}"></a>`,
    "",
    `## \`${c.id}\` — ${c.title}`,
    "",
    c.rationale,
    "",
    "| cloud | fidelity | not covered |",
    "| --- | --- | --- |",
  ];
  for (const cloud of CLOUDS) {
    const cc = c.clouds[cloud];
    lines.push(`| ${CLOUD_NAMES[cloud]} | ${cc.fidelity} | ${cc.gap ? escape(cc.gap) : "—"} |`);
  }
  for (const cloud of CLOUDS) {
    const sources = c.clouds[cloud].sources ?? [];
    lines.push("", `**${CLOUD_NAMES[cloud]} sources**${sources.length === 0 ? ": none recorded yet." : ""}`);
    if (sources.length > 0) lines.push("", ...sources.map((s) => `- ${sourceLink(s)}`));
  }
  return lines.join("\n");
}

export function renderControlsDoc(controls: readonly TControl[] = listControls()): string {
  const summary = ["| control | AWS | Azure | GCP | OCI |", "| --- | --- | --- | --- | --- |"];
  for (const c of controls) summary.push(`| [\`${c.id}\`](#${c.id}) | ${CLOUDS.map((cloud) => c.clouds[cloud].fidelity).join(" | ")} |`);
  return [
    "# Controls: fidelity, gaps and sources",
    "",
    "<!-- Generated from packages/core/src/catalog by `pnpm controls:doc`; do not edit by hand. -->",
    "",
    "Each control is compiled to every cloud's own enforcement primitive. *Fidelity* says how much of the intent the",
    "cloud enforces: `enforced` (native prevention), `partial` (prevention with the gap stated), `detective`",
    "(reported, not prevented) or `unsupported`. The sources are the cloud documentation the compiler relies on.",
    "",
    ...summary,
    "",
    ...controls.map((c) => `${controlSection(c)}\n`),
  ].join("\n");
}

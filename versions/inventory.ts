// What an air-gapped site's mirror must hold before `pulumi up`: every pinned chart and every
// image the charts and the program run, from versions/. The README's inventory is this text
// (test/mirror/readme.test.ts keeps it in sync); `npx ts-node versions/inventory.ts` prints the
// image references one per line, for a copy script.
import { charts, imageRef, type ChartKey, type ImagePin } from "./index";
import { CHART_IMAGE_SETTINGS, PROGRAM_IMAGES } from "./chart-images";

export interface InventoryImage {
  /** The upstream reference; on the mirror it is `<mirror.registry>/<this>`. */
  readonly ref: string;
  /** Which chart settings or program parts use it, and when. */
  readonly usedBy: readonly string[];
  /** False for images the stacks never start (a component kept off, a `helm test` hook). */
  readonly needed: boolean;
}

/** Every image, once, in the order the charts and then the program name them. */
export function imageInventory(): InventoryImage[] {
  const byRef = new Map<string, { usedBy: string[]; needed: boolean }>();
  const add = (pin: ImagePin, usedBy: string, needed: boolean) => {
    const ref = imageRef(pin);
    const entry = byRef.get(ref) ?? { usedBy: [], needed: false };
    entry.usedBy.push(usedBy);
    entry.needed ||= needed;
    byRef.set(ref, entry);
  };
  for (const key of Object.keys(charts) as ChartKey[])
    for (const s of CHART_IMAGE_SETTINGS[key]) {
      if (!s.pin) continue;
      const why = s.off ? `never started: ${s.off} is false` : s.helmTestOnly ? "only `helm test`" : s.note;
      add(s.pin, `${charts[key].chart} \`${s.path}\`${why ? ` (${why})` : ""}`, !s.off && !s.helmTestOnly);
    }
  for (const p of PROGRAM_IMAGES) add(p.pin, p.usedBy, true);
  return [...byRef].map(([ref, e]) => ({ ref, usedBy: e.usedBy, needed: e.needed }));
}

/** The README's inventory: the charts (by version) and the images (upstream path and tag). */
export function inventoryMarkdown(): string {
  const chartRows = (Object.keys(charts) as ChartKey[]).map((k) => {
    const c = charts[k];
    return `| \`${c.chart}\` | \`${c.version}\` | ${c.repo} |`;
  });
  const images = imageInventory();
  const row = (i: InventoryImage) => `| \`${i.ref}\` | ${i.usedBy.join("; ")} |`;
  return [
    "| chart | version | upstream repository |",
    "| --- | --- | --- |",
    ...chartRows,
    "",
    "| image (on the mirror: `<mirror.registry>/` + this) | used by |",
    "| --- | --- |",
    ...images.filter((i) => i.needed).map(row),
    "",
    "Set to the mirror too, but never started by the stacks (not needed there):",
    "",
    "| image | setting |",
    "| --- | --- |",
    ...images.filter((i) => !i.needed).map(row),
  ].join("\n");
}

if (require.main === module) for (const i of imageInventory()) if (i.needed) console.log(i.ref);

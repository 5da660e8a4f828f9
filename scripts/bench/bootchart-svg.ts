// The boot chart as a picture: an SVG timeline of the boot stages, for
// `wisp run --bootchart=FILE.svg` and `wisp bench boot --svg FILE`.
//
//   title                                         unit (µs or instructions)
//   first-instruction |                                        0.0
//   paging-on         |██                                     20.5   +20.5
//   runtime-ready     |  █                                    35.4   +14.9
//   ...               |          ████████████               691.3  +488.7
//                     0        100        200  ...  (axis in the unit)
//   reference bars (optional): other totals in their own unit, own scale
//
// Each stage is a bar from the previous stamp to its own, coloured by who
// takes the step: the boot stub (its three stamps), the kernel, or the app
// (stamps from app-loaded on). Plain SVG 1.1, no script, no fonts beyond
// the generic families, so any browser and rsvg-convert draw it.

export interface SvgStage {
  name: string;
  /** When the stage ended, in `unit` from the first instruction. */
  at: number;
}

export interface SvgReference {
  label: string;
  value: number;
}

export interface SvgChart {
  title: string;
  /** What the stage numbers count: "µs" or "instructions". */
  unit: string;
  stages: SvgStage[];
  /** Bars drawn below the timeline on their own scale (e.g. host wall time of peers). */
  references?: { unit: string; bars: SvgReference[] };
}

const WIDTH = 960;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 170;
const ROW = 22;
const BAR = 14;
const TOP = 48;
const PLOT = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
const STUB_STAGES = new Set(["first-instruction", "paging-on", "runtime-ready"]);
const COLORS = { stub: "#8e9aaf", kernel: "#3a6ea5", app: "#4f9d69", reference: "#c08552" };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A round step for an axis of `span` with about `count` ticks. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (power * factor >= raw) return power * factor;
  return power * 10;
}

function format(value: number, unit: string): string {
  return unit === "instructions" ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}

/** Ticks and their labels under a bar area from x0 spanning `total` units. */
function axis(y: number, total: number, unit: string): string[] {
  const step = tickStep(total, 8);
  const parts: string[] = [];
  for (let value = 0; value <= total + step / 2; value += step) {
    const x = LABEL_WIDTH + (value / total) * PLOT;
    parts.push(`<line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + 5}" stroke="#555"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${y + 17}" font-size="10" text-anchor="middle" fill="#333">${escape(format(value, unit))}</text>`);
  }
  parts.push(`<line x1="${LABEL_WIDTH}" y1="${y}" x2="${LABEL_WIDTH + PLOT}" y2="${y}" stroke="#555"/>`);
  return parts;
}

/** The chart as an SVG document. */
export function bootChartSvg(chart: SvgChart): string {
  if (chart.stages.length === 0) throw new Error("a boot chart needs at least one stage");
  const total = Math.max(...chart.stages.map((stage) => stage.at), 1e-9);
  const references = chart.references?.bars ?? [];
  const timelineEnd = TOP + chart.stages.length * ROW;
  const referenceTop = timelineEnd + 50;
  const height = references.length > 0 ? referenceTop + 24 + references.length * ROW + 40 : timelineEnd + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-family="sans-serif" font-size="15" font-weight="bold" fill="#111">${escape(chart.title)}</text>`,
    `<text x="${WIDTH - 10}" y="22" font-family="sans-serif" font-size="12" text-anchor="end" fill="#333">${escape(`${chart.unit} from the first instruction`)}</text>`,
    `<g font-family="monospace" font-size="12">`,
  ];
  let previous = 0;
  chart.stages.forEach((stage, index) => {
    const y = TOP + index * ROW;
    const isApp = stage.name.startsWith("app-") || chart.stages.slice(0, index).some((s) => s.name === "kernel-ready");
    const color = STUB_STAGES.has(stage.name) ? COLORS.stub : isApp ? COLORS.app : COLORS.kernel;
    const x0 = LABEL_WIDTH + (previous / total) * PLOT;
    const x1 = LABEL_WIDTH + (stage.at / total) * PLOT;
    const step = stage.at - previous;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + BAR - 2}" text-anchor="end" fill="#111">${escape(stage.name)}</text>`);
    parts.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${Math.max(x1 - x0, 1).toFixed(1)}" height="${BAR}" fill="${color}"><title>${escape(`${stage.name}: ${format(step, chart.unit)} ${chart.unit} (at ${format(stage.at, chart.unit)})`)}</title></rect>`);
    parts.push(`<text x="${LABEL_WIDTH + PLOT + 8}" y="${y + BAR - 2}" fill="#111">${escape(`${format(stage.at, chart.unit)}  +${format(step, chart.unit)}`)}</text>`);
    previous = stage.at;
  });
  parts.push(...axis(timelineEnd + 4, total, chart.unit));
  if (references.length > 0) {
    const unit = chart.references!.unit;
    const most = Math.max(...references.map((bar) => bar.value), 1e-9);
    parts.push(`<text x="10" y="${referenceTop}" font-family="sans-serif" font-size="13" font-weight="bold" fill="#111">${escape(`totals (${unit})`)}</text>`);
    references.forEach((bar, index) => {
      const y = referenceTop + 14 + index * ROW;
      const width = (bar.value / most) * PLOT;
      parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + BAR - 2}" text-anchor="end" fill="#111">${escape(bar.label)}</text>`);
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${Math.max(width, 1).toFixed(1)}" height="${BAR}" fill="${COLORS.reference}"/>`);
      parts.push(`<text x="${LABEL_WIDTH + PLOT + 8}" y="${y + BAR - 2}" fill="#111">${escape(bar.value.toFixed(1))}</text>`);
    });
  }
  parts.push("</g>", "</svg>", "");
  return parts.join("\n");
}

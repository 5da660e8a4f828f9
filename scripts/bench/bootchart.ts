// Parsing the kernel's machine-readable boot chart line:
//   bootchart-raw hz=<Hz> source=<how> <stage>=<ticks since first instruction> ...

export interface BootChart {
  hz: number;
  source: string;
  stages: { name: string; ticks: number }[];
}

export function parseBootChart(output: string): BootChart | null {
  const line = output.split("\n").find((candidate) => candidate.startsWith("bootchart-raw "));
  if (!line) return null;
  const chart: BootChart = { hz: 0, source: "", stages: [] };
  for (const field of line.trim().split(/\s+/).slice(1)) {
    const [key, value] = field.split("=");
    if (key === "hz") chart.hz = Number(value);
    else if (key === "source") chart.source = value;
    else chart.stages.push({ name: key, ticks: Number(value) });
  }
  return chart;
}

/**
 * A counter reading in the chart's unit: instructions when the guest ran
 * under -icount shift=0 (one nanosecond of guest time per instruction: the
 * x86 TSC then counts instructions, a counter with a stated frequency, such
 * as aarch64's CNTVCT, hz/1e9 per instruction), else microseconds.
 */
export function ticksIn(ticks: number, chart: Pick<BootChart, "hz" | "source">, icount: boolean): number {
  if (icount) return Math.round(ticks * (chart.source === "arch" ? 1e9 / chart.hz : 1));
  return (ticks / chart.hz) * 1e6;
}

/** The stages of a chart, each at its time in instructions (icount) or microseconds. */
export function stagesIn(chart: BootChart, icount: boolean): { name: string; at: number }[] {
  return chart.stages.map((stage) => ({ name: stage.name, at: ticksIn(stage.ticks, chart, icount) }));
}

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

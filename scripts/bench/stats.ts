// Order statistics for benchmark samples.

export interface Summary {
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error("percentile of an empty sample");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function median(samples: number[]): number {
  if (samples.length === 0) throw new Error("median of an empty sample");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(samples: number[]): Summary {
  return { median: median(samples), p95: percentile(samples, 95), min: Math.min(...samples), max: Math.max(...samples) };
}

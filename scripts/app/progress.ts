// Progress of a long build-app: what steps.ts reports after each step, and
// how the command shows it (a line rewritten in place on a terminal, plain
// lines at most every PLAIN_EVERY_SECONDS otherwise; nothing with --json).

export interface Progress {
  /** Units (the whole module, or the splitter's parts) through wasm2c. */
  unitsDone: number;
  units: number;
  /** Processes done (or resumed), of all known so far. */
  stepsDone: number;
  steps: number;
  elapsedSeconds: number;
}

const PLAIN_EVERY_SECONDS = 10;

function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

/** "12/40 steps, 2 of 3 parts translated, 1m05s elapsed, about 2m10s left". */
export function progressLine(p: Progress): string {
  const left = p.stepsDone > 0 && p.stepsDone < p.steps ? `, about ${duration((p.elapsedSeconds * (p.steps - p.stepsDone)) / p.stepsDone)} left` : "";
  const parts = p.units > 1 ? `, ${p.unitsDone} of ${p.units} parts translated` : "";
  return `${p.stepsDone}/${p.steps} steps${parts}, ${duration(p.elapsedSeconds)} elapsed${left}`;
}

/** A progress printer for `stream`: in place on a TTY, else a plain line now and then. */
export function progressPrinter(stream: NodeJS.WriteStream): { update: (p: Progress) => void; end: () => void } {
  let lastPlain = 0; // a build shorter than PLAIN_EVERY_SECONDS prints no progress line
  let shown = false;
  return {
    update(p) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[Kbuild-app: ${progressLine(p)}`);
        shown = true;
      } else if (p.elapsedSeconds - lastPlain >= PLAIN_EVERY_SECONDS || p.stepsDone === p.steps) {
        lastPlain = p.elapsedSeconds;
        stream.write(`build-app: ${progressLine(p)}\n`);
      }
    },
    end() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}

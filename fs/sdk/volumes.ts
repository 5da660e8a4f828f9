// The module's mounted volumes, by the numbers fs_mount hands the kernel.

import { Volume } from "./volume";

let maker: (() => Volume) | null = null;
let settings: ((key: string, value: string) => bool) | null = null;
let reporter: (() => string) | null = null;

/** Says how to apply a setting (kernel option fsopt=TYPE.KEY=VALUE): true if taken. Optional. */
export function takeSettings(apply: (key: string, value: string) => bool): void {
  settings = apply;
}

/** Says what meminfo prints for the module: one line. Optional. */
export function reportWith(report: () => string): void {
  reporter = report;
}

/** Applies a setting: false when the module takes none or refuses it. */
export function applySetting(key: string, value: string): bool {
  return settings !== null && settings!(key, value);
}

/** The module's report line ("" without a reporter). */
export function reportLine(): string {
  return reporter === null ? "" : reporter!();
}
const volumes = new Array<Volume | null>();

/** Says how to make a volume for each mount (call once, from the entry file's top level). */
export function serve(make: () => Volume): void {
  maker = make;
}

/** A fresh volume in a free slot: its number, or -1 when serve() was never called. */
export function addVolume(): i32 {
  if (maker === null) return -1;
  const volume = maker!();
  for (let i = 0; i < volumes.length; i++) {
    if (volumes[i] === null) {
      volumes[i] = volume;
      return i;
    }
  }
  volumes.push(volume);
  return volumes.length - 1;
}

/** The volume numbered `number`, or null. */
export function volumeAt(number: i32): Volume | null {
  return number >= 0 && number < volumes.length ? volumes[number] : null;
}

export function removeVolume(number: i32): void {
  if (number >= 0 && number < volumes.length) volumes[number] = null;
}

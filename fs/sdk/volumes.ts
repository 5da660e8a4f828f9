// The module's mounted volumes, by the numbers fs_mount hands the kernel.

import { Volume } from "./volume";

let maker: (() => Volume) | null = null;
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

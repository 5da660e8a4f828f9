// The module's mounted volumes, by number: a volume is either read (a
// dataset of an existing pool, volume.ts) or being written (a pool made by
// fs_mkfs, write/pool-writer.ts). Both tables always have the same length;
// a number is in use in at most one.

import { Volume } from "./volume";
import { PoolWriter } from "./write/pool-writer";

export const readers = new Array<Volume | null>();
export const writers = new Array<PoolWriter | null>();

/** The lowest number free in both tables (growing them if none is). */
export function freeNumber(): i32 {
  for (let i = 0; i < readers.length; i++) {
    if (readers[i] === null && writers[i] === null) return i;
  }
  readers.push(null);
  writers.push(null);
  return readers.length - 1;
}

export function reader(number: i32): Volume | null {
  return number >= 0 && number < readers.length ? readers[number] : null;
}

export function writer(number: i32): PoolWriter | null {
  return number >= 0 && number < writers.length ? writers[number] : null;
}

// The bytes the storage benchmarks' files hold, and where they are kept.
//
// The pattern is ninep-app.c's: 32-bit little-endian words, word w =
// w * 2654435761 (mod 2^32), distinct across 4 GiB, so a piece read from the
// wrong place fails the app's check. A file holds the pattern's bytes from
// some offset on. Host copies are kept under build/bench-storage/ and
// rewritten only when their bytes differ.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../build/files";

export const MIB = 1 << 20;
export const BENCH_DIR = join(ROOT, "build", "bench-storage");

/** The pattern's `length` bytes from byte `offset` (both multiples of 4). */
export function patternBytes(offset: number, length: number): Uint8Array {
  const words = new Uint32Array(length / 4);
  const first = offset / 4;
  for (let i = 0; i < words.length; i++) words[i] = Math.imul(first + i, 2654435761) >>> 0;
  return new Uint8Array(words.buffer);
}

/** A file of the pattern: `length` bytes from byte `offset`. */
export interface PatternFile {
  offset: number;
  length: number;
}

/** `count` files of `bytes` each, file-0000.bin on, file i from byte i * bytes (ninep-app read-tree). */
export function patternTree(count: number, bytes: number): Map<string, PatternFile> {
  return new Map(Array.from({ length: count }, (_, i): [string, PatternFile] => [`file-${String(i).padStart(4, "0")}.bin`, { offset: i * bytes, length: bytes }]));
}

/** Writes `files` (path relative to `dir` → pattern) into `dir`, each only when its bytes differ. */
export function writePatternFiles(dir: string, files: Map<string, PatternFile>): void {
  for (const [file, { offset, length }] of files) {
    const path = join(dir, file);
    mkdirSync(join(path, ".."), { recursive: true });
    if (existsSync(path) && statSync(path).size === length) {
      const held = readFileSync(path);
      if (held.equals(patternBytes(offset, length))) continue;
    }
    const data = new Uint8Array(length);
    for (let at = 0; at < length; at += MIB) data.set(patternBytes(offset + at, Math.min(MIB, length - at)), at);
    writeFileSync(path, data);
  }
}

/** build/bench-storage/`name` holding exactly `files` (top-level names). */
export function cachedDirectory(name: string, files: Map<string, PatternFile>): string {
  const dir = join(BENCH_DIR, name);
  mkdirSync(dir, { recursive: true });
  writePatternFiles(dir, files);
  const extra = readdirSync(dir).filter((file) => !files.has(file));
  if (extra.length) throw new Error(`${dir} holds files the benchmark did not write: ${extra.join(", ")}`);
  return dir;
}

// Incremental builds: a stage is skipped when the hash of its inputs (file
// contents plus its settings) matches the one recorded when it last produced
// its outputs, and those outputs still exist.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function hashInputs(files: string[], settings: unknown): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(settings));
  for (const file of [...files].sort()) {
    hash.update(file);
    hash.update("\0");
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

export function isFresh(stampFile: string, hash: string, outputs: string[]): boolean {
  if (!existsSync(stampFile) || !outputs.every((output) => existsSync(output))) return false;
  return readFileSync(stampFile, "utf8") === hash;
}

export function recordFresh(stampFile: string, hash: string): void {
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, hash);
}

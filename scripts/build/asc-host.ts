// Compiling an AssemblyScript program for the host (a tool's wasm, not the
// kernel): asc in this process, the kernel's asconfig.json ignored, the one
// output file kept in memory. scripts/image/kernel-reader.ts (the ROFS
// reader) and scripts/zfs/compile.ts (the ZFS module) build with it.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The wasm asc makes from `entry` (relative to `baseDir`) with `args`; throws with asc's messages naming `what`. */
export async function compileForHost(entry: string, baseDir: string, args: string[], what: string): Promise<Uint8Array> {
  const { default: asc } = await import("assemblyscript/asc");
  const stderr = asc.createMemoryStream();
  let binary: Uint8Array | null = null;
  const result = await asc.main([entry, "--baseDir", baseDir, "--noColors", "--outFile", "out.wasm", ...args], {
    stdout: asc.createMemoryStream(),
    stderr,
    readFile: async (name: string, directory: string) => {
      if (name.endsWith("asconfig.json")) return null; // the kernel's options are not a host tool's
      try {
        return readFileSync(resolve(directory, name), "utf8");
      } catch {
        return null;
      }
    },
    writeFile: async (name: string, contents: Uint8Array | string) => {
      if (name === "out.wasm" && typeof contents !== "string") binary = contents;
    },
    listFiles: async () => [],
  });
  if (result.error || binary === null) throw new Error(`asc failed to compile ${what}: ${result.error?.message ?? "no output"}\n${stderr.toString()}`);
  return binary;
}

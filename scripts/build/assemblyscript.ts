// Compiling AssemblyScript that is not the kernel: host tools (the ROFS
// reader of `wisp image`) and filesystem modules (`wisp build-module`).
// asc runs in this process without the kernel's asconfig.json, and the
// result is cached under build/<cacheDir>/ by a hash of every source the
// entry may import, the asc version and the flags, so an unchanged program
// costs nothing and a changed one is recompiled. A lock file keeps two
// processes from compiling the same program at once.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT } from "./files";
import { withFileLock } from "./lock";

export interface AscProgram {
  /** The entry file, relative to the repository. */
  entry: string;
  /** Folders (relative to the repository) whose .ts files the entry may import: they make the cache key. */
  sources: string[];
  args: string[];
  /** Cache file name prefix and folder under build/. */
  name: string;
  cacheDir: string;
  /** What the program is, for error messages ("the ROFS reader"). */
  what: string;
}

function listSources(directory: string, into: string[]): void {
  const absolute = join(ROOT, directory);
  if (!existsSync(absolute)) return;
  for (const entry of readdirSync(absolute, { withFileTypes: true })) {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) listSources(path, into);
    else if (entry.name.endsWith(".ts")) into.push(path);
  }
}

function sourceHash(program: AscProgram): string {
  const files = [program.entry];
  for (const folder of program.sources) listSources(folder, files);
  const hash = createHash("sha256");
  const ascVersion = JSON.parse(readFileSync(join(ROOT, "node_modules/assemblyscript/package.json"), "utf8")).version;
  hash.update(`asc ${ascVersion}\0${program.args.join(" ")}\0`);
  for (const file of [...new Set(files)].sort()) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest("hex").slice(0, 20);
}

async function compile(program: AscProgram): Promise<Uint8Array> {
  const { default: asc } = await import("assemblyscript/asc");
  const stderr = asc.createMemoryStream();
  let binary: Uint8Array | null = null;
  const result = await asc.main([program.entry, "--baseDir", ROOT, "--noColors", "--outFile", "out.wasm", ...program.args], {
    stdout: asc.createMemoryStream(),
    stderr,
    readFile: async (name: string, baseDir: string) => {
      if (name.endsWith("asconfig.json")) return null; // the kernel's options are not this program's
      try {
        return readFileSync(resolve(baseDir, name), "utf8");
      } catch {
        return null;
      }
    },
    writeFile: async (name: string, contents: Uint8Array | string) => {
      if (name === "out.wasm" && typeof contents !== "string") binary = contents;
    },
    listFiles: async () => [],
  });
  if (result.error || binary === null) throw new Error(`asc failed to compile ${program.what}: ${result.error?.message ?? "no output"}\n${stderr.toString()}`);
  return binary;
}

/** The program's wasm, compiled at most once per change of its sources; also its cached file's path. */
export async function compileAssemblyScript(program: AscProgram): Promise<{ wasm: Uint8Array; path: string }> {
  const dir = join(ROOT, "build", program.cacheDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${program.name}-${sourceHash(program)}.wasm`);
  if (existsSync(path)) return { wasm: new Uint8Array(readFileSync(path)), path };
  return withFileLock(`${path}.lock`, async () => {
    if (existsSync(path)) return { wasm: new Uint8Array(readFileSync(path)), path };
    const binary = await compile(program);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, binary);
    renameSync(temporary, path);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${program.name}-`) && name.endsWith(".wasm") && join(dir, name) !== path) rmSync(join(dir, name), { force: true });
    }
    return { wasm: binary, path };
  });
}

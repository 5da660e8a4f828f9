// Running the toolchain: asc in-process, everything else as child processes
// whose failures surface with the tool's own message.

import { execFile } from "node:child_process";
import { readFile as readFile_ } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./files";

const run = promisify(execFile);

export class ToolError extends Error {}

/** Runs a program from node_modules/.bin or PATH; throws ToolError with its stderr on failure. */
export async function tool(program: string, args: string[]): Promise<void> {
  const local = join(ROOT, "node_modules", ".bin", program);
  const command = ["wasm-opt", "wasm2c"].includes(program) ? local : program;
  try {
    await run(command, args, { cwd: ROOT, maxBuffer: 64 << 20 });
  } catch (error) {
    const failure = error as { code?: string | number; stderr?: string; message: string };
    if (failure.code === "ENOENT") {
      throw new ToolError(`${program} is not installed: run 'npm run setup' (Debian packages) and 'npm ci'`);
    }
    throw new ToolError(`${program} failed:\n${(failure.stderr || failure.message).trim()}`);
  }
}

/**
 * Compiles AssemblyScript with the compiler's API (no extra process start).
 * With `entry`, asconfig.json's own entries (the kernel) are replaced by that
 * file, so other programs can be built with the kernel's exact options.
 */
export async function asc(args: string[], entry?: string): Promise<void> {
  const { main } = await import("assemblyscript/asc");
  let errors = "";
  const stderr = { write: (text: string | Uint8Array) => { errors += text.toString(); return true; } };
  const stdout = { write: () => true };
  const readFile = async (name: string, baseDir: string): Promise<string | null> => {
    try {
      const text = await readFile_(join(baseDir, name), "utf8");
      if (entry === undefined || name !== "asconfig.json") return text;
      return JSON.stringify({ ...JSON.parse(text), entries: [entry] });
    } catch {
      return null;
    }
  };
  const { error } = await main(args, { stdout, stderr, readFile } as never);
  if (error) throw new ToolError(`asc failed:\n${errors.trim() || error.message}`);
}

/** Runs `jobs` with at most `limit` at a time. */
export async function inParallel<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/**
 * The environment for `clang --target=wasm32-wasi`: this one without the
 * project's node_modules/.bin on PATH. clang runs any wasm-opt it finds on
 * PATH over an optimised wasm32 link, and npm and npx put binaryen's there,
 * so the same source would compile to a different module (names stripped,
 * code rewritten) depending on how wisp was started.
 */
export function wasiClangEnv(): NodeJS.ProcessEnv {
  const bin = join(ROOT, "node_modules", ".bin");
  const path = (process.env.PATH ?? "").split(delimiter).filter((entry) => resolve(entry) !== bin).join(delimiter);
  return { ...process.env, PATH: path };
}

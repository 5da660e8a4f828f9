// Compiling the kernel and the host-test harness for the host tests.
//
// Guards that the host tests run the kernel exactly as it is built: both
// modules are compiled by asc's programmatic API from asconfig.json's options
// and release target, with the no-shadow-stack transform the kernel build
// uses. The harness differs only where it must: its entry is
// test/host/harness.ts, it re-exports the imported memory (so
// @assemblyscript/loader can read strings) and it exports the runtime.
//
// Results are cached under build/test/, keyed by a hash of every input (every
// AssemblyScript source the kernel may import, the harness entry and every
// part it reaches by relative imports, asconfig.json, the transform, the asc
// version and the arguments), so only the first run
// after a change pays for compilation. Test files run in parallel processes;
// a lock file (holding its owner's pid) makes sure one of them compiles while
// the others wait for its result. A compile error throws with asc's own
// diagnostics.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { withFileLock } from "../../scripts/build/lock";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CACHE_DIR = join(REPO_ROOT, "build", "test");
const TRANSFORM = "scripts/build/no-shadow-stack.mjs";
const HARNESS_ENTRY = "test/host/harness.ts";

/**
 * What to compile: "kernel:x86_64" or "kernel:aarch64" (the kernel as `wisp
 * build` compiles it for that architecture, default profile), "harness" (the
 * shared test harness), or the path of another harness entry relative to the
 * repository root (e.g. "test/host/elf/harness.ts").
 */
export type Target = string;

/** The kernel built for `arch`. */
export function kernelTarget(arch: "x86_64" | "aarch64" = "x86_64"): Target {
  return `kernel:${arch}`;
}

function kernelEntryOf(target: Target): string | null {
  return target.startsWith("kernel:") ? `kernel/init/${target.slice("kernel:".length)}.ts` : null;
}

function entryOf(target: Target): string | null {
  if (kernelEntryOf(target) !== null) return null;
  return target === "harness" ? HARNESS_ENTRY : target;
}

function cacheName(target: Target): string {
  return target.replace(/^test\/host\//, "").replace(/\.ts$/, "").replace(/[^A-Za-z0-9-]/g, "-");
}

interface AsConfig {
  entries?: string[];
  options?: Record<string, unknown>;
  targets?: Record<string, Record<string, unknown>>;
}

function readAsConfig(): AsConfig {
  return JSON.parse(readFileSync(join(REPO_ROOT, "asconfig.json"), "utf8")) as AsConfig;
}

/**
 * What asc is handed as asconfig.json for a target. The kernel gets the
 * file's options with its architecture's entry; a harness gets the same
 * options and release target with its own entry, an exported memory, the
 * runtime exports, and the test profile's constant (WISP_TESTS), so that it
 * can reach what the test profile registers.
 */
function configFor(entry: string | null, kernelEntry: string | null = null): string {
  const config = readAsConfig();
  if (entry === null) return JSON.stringify({ ...config, entries: [kernelEntry ?? "kernel/init/x86_64.ts"] });
  const use = Array.isArray(config.options?.use) ? (config.options!.use as string[]) : [];
  return JSON.stringify({
    ...config,
    entries: [entry],
    options: { ...config.options, noExportMemory: false, exportRuntime: true, use: [...use, "WISP_TESTS=1"] },
  });
}

/** asc's arguments: the release target of asconfig.json, like the kernel build (scripts/build). */
function ascArguments(outFile: string): string[] {
  const listed = readAsConfig().options?.transform;
  const hasTransform = Array.isArray(listed) && listed.some((path) => String(path).endsWith(TRANSFORM));
  return [
    "--baseDir", REPO_ROOT,
    "--config", "asconfig.json",
    "--target", "release",
    ...(hasTransform ? [] : ["--transform", join(REPO_ROOT, TRANSFORM)]),
    "--noColors",
    "--outFile", outFile,
  ];
}

export interface CompileRequest {
  /** Entry file relative to the repository root; null compiles the kernel (kernelEntry). */
  entry: string | null;
  /** With a null entry: the kernel's entry file (kernel/init/<arch>.ts; x86_64 by default). */
  kernelEntry?: string | null;
  /** Sources that exist only in memory, by path relative to the repository root (for compiler tests). */
  virtualFiles?: Record<string, string>;
}

/** Compiles with asc, uncached. Throws with asc's diagnostics on any error. */
export async function compileWithAsc(request: CompileRequest): Promise<Uint8Array> {
  const { default: asc } = await import("assemblyscript/asc");
  const virtual = new Map<string, string>();
  virtual.set(join(REPO_ROOT, "asconfig.json"), configFor(request.entry, request.kernelEntry ?? null));
  for (const [path, text] of Object.entries(request.virtualFiles ?? {})) virtual.set(join(REPO_ROOT, path), text);

  const outFile = "module.wasm";
  let binary: Uint8Array | null = null;
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const result = await asc.main(ascArguments(outFile), {
    stdout,
    stderr,
    readFile: async (name: string, baseDir: string) => {
      const path = resolve(baseDir, name);
      if (virtual.has(path)) return virtual.get(path)!;
      try {
        return readFileSync(path, "utf8");
      } catch {
        return null;
      }
    },
    writeFile: async (name: string, contents: Uint8Array | string) => {
      if (name === outFile && typeof contents !== "string") binary = contents;
    },
    listFiles: async () => [],
  });
  const what = request.entry ?? request.kernelEntry ?? "the kernel";
  if (result.error) {
    throw new Error(`asc failed to compile ${what}: ${result.error.message}\n${stderr.toString()}`);
  }
  if (binary === null) throw new Error(`asc produced no binary for ${what}\n${stderr.toString()}`);
  return binary;
}

/** The folders whose AssemblyScript sources are hashed whole: everything the kernel may import. */
const KERNEL_SOURCES = ["kernel", "drivers", "fs", "loader", "modules", "arch"];

function listSources(directory: string, into: string[]): void {
  const absolute = join(REPO_ROOT, directory);
  if (!existsSync(absolute)) return;
  for (const entry of readdirSync(absolute, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) listSources(path, into);
    else if (entry.name.endsWith(".ts")) into.push(path);
  }
}

/** `import ... from "./x"`, `export * from "./x"` and `import "./x"` with a relative path. */
const RELATIVE_IMPORT = /^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"|^\s*import\s+"(\.[^"]+)"/gm;

/**
 * Adds `file` and, recursively, every file it imports by a relative path
 * outside KERNEL_SOURCES (those are hashed whole): for the harness, the parts
 * in test/host/<subsystem>/ its entry re-exports and what they share.
 */
function listImported(file: string, into: Set<string>): void {
  if (into.has(file)) return;
  into.add(file);
  for (const match of readFileSync(join(REPO_ROOT, file), "utf8").matchAll(RELATIVE_IMPORT)) {
    const path = join(dirname(file), match[1] ?? match[2]);
    const imported = [`${path}.ts`, join(path, "index.ts")].find((candidate) => existsSync(join(REPO_ROOT, candidate)));
    if (imported !== undefined && !KERNEL_SOURCES.some((directory) => imported.startsWith(directory + sep))) {
      listImported(imported, into);
    }
  }
}

/** Every file a target's cache key covers, sorted, relative to the repository root with "/" separators. */
export function hashedSources(target: Target): string[] {
  const files: string[] = [];
  for (const directory of KERNEL_SOURCES) listSources(directory, files);
  files.push("asconfig.json", TRANSFORM);
  const entry = entryOf(target);
  const imported = new Set<string>();
  if (entry !== null && !entry.startsWith("kernel/")) listImported(join(entry), imported);
  return [...new Set([...files, ...imported])].map((file) => file.split(sep).join("/")).sort();
}

/** The cache key: a hash over every input that can change the compiled module. */
export function sourceHash(target: Target): string {
  const files = hashedSources(target);
  const entry = entryOf(target);
  const hash = createHash("sha256");
  const ascPackage = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/assemblyscript/package.json"), "utf8"));
  hash.update(`asc ${ascPackage.version}\0${target}\0${ascArguments("module.wasm").join(" ")}\0`);
  hash.update(configFor(entry, kernelEntryOf(target)));
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(REPO_ROOT, file)));
  }
  return hash.digest("hex").slice(0, 20);
}

/** Removes older cached builds of the same target. */
function pruneOld(target: Target, keep: string): void {
  for (const name of readdirSync(CACHE_DIR)) {
    if (name.startsWith(`${cacheName(target)}-`) && name.endsWith(".wasm") && join(CACHE_DIR, name) !== keep) {
      rmSync(join(CACHE_DIR, name), { force: true });
    }
  }
}

async function cachedBuild(target: Target): Promise<Uint8Array> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `${cacheName(target)}-${sourceHash(target)}.wasm`);
  if (existsSync(file)) return new Uint8Array(readFileSync(file));
  return withFileLock(`${file}.lock`, async () => {
    if (existsSync(file)) return new Uint8Array(readFileSync(file));
    const binary = await compileWithAsc({ entry: entryOf(target), kernelEntry: kernelEntryOf(target) });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, binary);
    renameSync(temporary, file);
    pruneOld(target, file);
    return binary;
  });
}

const builds = new Map<Target, Promise<Uint8Array>>();
const modules = new Map<Target, Promise<WebAssembly.Module>>();

/** The compiled wasm bytes of a target (compiled at most once per source change). */
export function wasmBytes(target: Target): Promise<Uint8Array> {
  let build = builds.get(target);
  if (!build) {
    build = cachedBuild(target);
    builds.set(target, build);
  }
  return build;
}

/** The compiled WebAssembly.Module of a target, shared by every instance in this process. */
export function wasmModule(target: Target): Promise<WebAssembly.Module> {
  let module = modules.get(target);
  if (!module) {
    module = wasmBytes(target).then((bytes) => WebAssembly.compile(bytes));
    modules.set(target, module);
  }
  return module;
}

// Compiles the ZFS module (fs/zfs, AssemblyScript) to build/zfs/zfs.wasm
// with asc's standard incremental runtime and no runtime exports, so that
// its only imports are the "wisp" functions and its exports exactly the
// ABI's (docs/modules.md). The result is cached by a hash of fs/zfs's
// sources, the options and the asc version, as scripts/image/kernel-reader.ts
// caches the ROFS reader; a lock file keeps two processes from compiling at once.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withFileLock } from "../build/lock";
import { compileForHost } from "../build/asc-host";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE_DIR = join(REPO_ROOT, "build", "zfs");
const SOURCE_DIR = "fs/zfs";
const ENTRY = `${SOURCE_DIR}/index.ts`;
export const ASC_ARGUMENTS = [
  "--runtime", "incremental", "--use", "abort=fs/zfs/host/abortHandler",
  "--optimizeLevel", "3", "--shrinkLevel", "1", "--noAssert", "--initialMemory", "2",
];

function sourceHash(): string {
  const files = readdirSync(join(REPO_ROOT, SOURCE_DIR)).filter((name) => name.endsWith(".ts")).sort();
  const hash = createHash("sha256");
  const ascVersion = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/assemblyscript/package.json"), "utf8")).version;
  hash.update(`asc ${ascVersion}\0${ASC_ARGUMENTS.join(" ")}\0`);
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(REPO_ROOT, SOURCE_DIR, file)));
  }
  return hash.digest("hex").slice(0, 20);
}

/** build/zfs/zfs.wasm, compiled first if fs/zfs changed since it was made; answers its path. */
export async function zfsWasmPath(): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, "zfs.wasm");
  const stamp = join(CACHE_DIR, "zfs.wasm.hash");
  const hash = sourceHash();
  const fresh = () => existsSync(file) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash;
  if (fresh()) return file;
  return withFileLock(join(CACHE_DIR, "compile.lock"), async () => {
    if (fresh()) return file;
    const binary = await compileForHost(ENTRY, REPO_ROOT, ASC_ARGUMENTS, "the ZFS module");
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, binary);
    renameSync(temporary, file);
    writeFileSync(stamp, hash);
    rmSync(`${stamp}.tmp`, { force: true });
    return file;
  });
}

/** The module's wasm bytes (compiled if needed). */
export async function zfsWasm(): Promise<Uint8Array> {
  return new Uint8Array(readFileSync(await zfsWasmPath()));
}

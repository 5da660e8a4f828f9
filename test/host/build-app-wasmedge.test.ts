// build-app's binding of imports by name and signature (scripts/app/
// validate.ts bindImports, rename-imports.ts): WasmEdge's two forms of
// sock_accept, sock_recv_from, sock_getlocaladdr and sock_getpeeraddr are
// told apart by their signatures, the V1/V2 one an import's signature picks
// is what the import is renamed to, and a signature the kernel does not
// provide is refused naming both.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateApp, AppRefusedError } from "../../scripts/app/validate";
import { renameImports } from "../../scripts/app/rename-imports";
import { readWasmModule } from "../../scripts/app/wasm-module";
import { parseWasiFunctions, wasiFunctionTable } from "../../scripts/app/lists";

const ROOT = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "wisp-wasmedge-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A command module importing `imports` (WAT import lines) from wasi_snapshot_preview1. */
function module(name: string, imports: string[]): { path: string; bytes: Uint8Array } {
  const wat = join(work, `${name}.wat`);
  const path = join(work, `${name}.wasm`);
  writeFileSync(wat, `(module\n${imports.map((line) => `  ${line}`).join("\n")}\n  (memory (export "memory") 1)\n  (func (export "_start")))\n`);
  execFileSync(join(ROOT, "node_modules", ".bin", "wat2wasm"), [wat, "-o", path]);
  return { path, bytes: readFileSync(path) };
}

const IMPORT = (name: string, params: string, result = "(result i32)") => `(import "wasi_snapshot_preview1" "${name}" (func (param ${params}) ${result}))`;

describe("binding WASI imports by signature", () => {
  it("keeps preview 1's sock_accept and renames WasmEdge's two-argument one to sock_accept_v1", async () => {
    const app = module("accepts", [IMPORT("fd_write", "i32 i32 i32 i32"), IMPORT("sock_accept", "i32 i32")]);
    const info = await validateApp(app.path, app.bytes);
    expect([...info.renames]).toEqual([[1, "sock_accept_v1"]]);
    const renamed = readWasmModule(renameImports(app.bytes, info.renames));
    expect(renamed.imports.map((imported) => imported.name)).toEqual(["fd_write", "sock_accept_v1"]);
    const preview1 = module("accepts-preview1", [IMPORT("sock_accept", "i32 i32 i32")]);
    expect((await validateApp(preview1.path, preview1.bytes)).renames.size).toBe(0);
  });

  it("binds recv_from, getlocaladdr and getpeeraddr by their argument counts", async () => {
    const app = module("forms", [
      IMPORT("sock_recv_from", "i32 i32 i32 i32 i32 i32 i32 i32"), // V2: with the port result
      IMPORT("sock_recv_from", "i32 i32 i32 i32 i32 i32 i32"), //      V1
      IMPORT("sock_getlocaladdr", "i32 i32 i32"), //                 V2
      IMPORT("sock_getpeeraddr", "i32 i32 i32 i32"), //              V1
    ]);
    const info = await validateApp(app.path, app.bytes);
    expect([...info.renames]).toEqual([[0, "sock_recv_from_v2"], [2, "sock_getlocaladdr_v2"]]);
    const renamed = readWasmModule(renameImports(app.bytes, info.renames));
    expect(renamed.imports.map((imported) => imported.name)).toEqual(["sock_recv_from_v2", "sock_recv_from", "sock_getlocaladdr_v2", "sock_getpeeraddr"]);
    // Everything but the import section is the same bytes.
    expect(renamed.types).toEqual(readWasmModule(app.bytes).types);
    expect(renamed.exports).toEqual(readWasmModule(app.bytes).exports);
  });

  it("refuses a signature the kernel does not provide, naming both", async () => {
    const app = module("wrong", [IMPORT("fd_write", "i32 i32 i32")]);
    await expect(validateApp(app.path, app.bytes)).rejects.toThrow(new AppRefusedError(
      `${app.path} imports wasi_snapshot_preview1.fd_write as (i32 i32 i32 -> i32), but the Wisp kernel provides it as (i32 i32 i32 i32 -> i32)`,
    ));
    const accept = module("wrong-accept", [IMPORT("sock_accept", "i32")]);
    await expect(validateApp(accept.path, accept.bytes)).rejects.toThrow(
      `imports wasi_snapshot_preview1.sock_accept as (i32 -> i32), but the Wisp kernel provides it as (i32 i32 i32 -> i32) or (i32 i32 -> i32)`,
    );
  });

  it("reads the list's lines, and refuses one it cannot read", () => {
    expect(parseWasiFunctions(["proc_exit i32 ->", "sched_yield -> i32", "sock_accept_v1 i32 i32 -> i32 < sock_accept"])).toEqual([
      { name: "proc_exit", params: ["i32"], results: [], importedAs: "proc_exit" },
      { name: "sched_yield", params: [], results: ["i32"], importedAs: "sched_yield" },
      { name: "sock_accept_v1", params: ["i32", "i32"], results: ["i32"], importedAs: "sock_accept" },
    ]);
    expect(() => parseWasiFunctions(["fd_write i32 i32"])).toThrow("cannot read 'fd_write i32 i32'");
    // Every name a plain import may use has one entry per signature.
    const table = wasiFunctionTable();
    const keys = table.map((entry) => `${entry.importedAs} ${entry.params.join(" ")}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

// Runs a WASI command in Node, whole or as the splitter's parts, and returns
// what it printed and its exit status: the oracle the split tests compare.
//
// The parts import each other's functions, and the hub imports functions of
// parts that import the hub's memory: a cycle JS instantiation cannot follow.
// So a function import is a forwarder that looks its target up when called
// (every part is instantiated by then); memory, tables and globals come from
// the hub's exports, which exist as soon as the hub is instantiated, first.

import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
import type { SplitResult } from "../../../scripts/app/split";

export interface NodeRun {
  stdout: string;
  stderr: string;
  status: number;
}

type Exports = Record<string, unknown>;

/** Runs `start` with a fresh WASI whose stdout and stderr go to files. */
function withWasi(args: string[], start: (wasi: WASI) => number): NodeRun {
  const dir = mkdtempSync(join(tmpdir(), "wisp-split-run-"));
  const out = openSync(join(dir, "stdout"), "w");
  const err = openSync(join(dir, "stderr"), "w");
  const wasi = new WASI({ version: "preview1", args: ["app", ...args], env: {}, stdout: out, stderr: err, returnOnExit: true });
  let status = 0;
  try {
    status = start(wasi);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    status = 134; // a trap: the status Wisp gives it
  } finally {
    closeSync(out);
    closeSync(err);
  }
  return { stdout: readFileSync(join(dir, "stdout"), "utf8"), stderr: readFileSync(join(dir, "stderr"), "utf8"), status };
}

export function runWhole(bytes: Uint8Array, args: string[] = []): NodeRun {
  return withWasi(args, (wasi) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
    return wasi.start(instance) ?? 0;
  });
}

export function runParts(split: SplitResult, args: string[] = []): NodeRun {
  return withWasi(args, (wasi) => {
    const instances = new Map<string, Exports>();
    const imports = (module: WebAssembly.Module): WebAssembly.Imports => {
      const table: Record<string, Record<string, unknown>> = { wasi_snapshot_preview1: wasi.wasiImport as Record<string, unknown> };
      for (const entry of WebAssembly.Module.imports(module)) {
        if (entry.module === "wasi_snapshot_preview1") continue;
        table[entry.module] ??= {};
        table[entry.module][entry.name] = entry.kind === "function"
          ? (...params: unknown[]) => (instances.get(entry.module)![entry.name] as (...p: unknown[]) => unknown)(...params)
          : instances.get(entry.module)![entry.name];
      }
      return table as WebAssembly.Imports;
    };
    for (const part of split.parts) {
      const module = new WebAssembly.Module(part.bytes);
      instances.set(part.name, new WebAssembly.Instance(module, imports(module)).exports as Exports);
    }
    if (split.start) (instances.get(split.parts[split.start.part].name)![split.start.name] as () => void)();
    const entry = split.parts[split.functionExports.get("_start")!].name;
    const hub = instances.get(split.parts[0].name)!;
    return wasi.start({ exports: { memory: hub.memory, _start: instances.get(entry)!._start } } as unknown as WebAssembly.Instance) ?? 0;
  });
}

// wisp bench size: what kernel.elf and an app.so are made of, byte for byte.
//
// The kernel comes from the link map ld.lld writes beside kernel.elf and
// the kernel's wasm (kernel-parts.ts): every byte of every output section
// goes to an AssemblyScript source file (through the names wasm2c gives its
// functions), an arch/ file, the generated glue, the static data, or the
// alignment between sections. The app.so (the hello app unless --app says
// otherwise) comes from its own symbol table (app-parts.ts). Reported: the
// sections, the folders and files by size, the biggest functions; every
// section's rows sum to its size, which the JSON carries for checking.

import { readFileSync, statSync } from "node:fs";
import { buildKernel, parseProfile } from "../../build";
import { ARCHES, Arch, parseArch } from "../../build/targets";
import { buildApp } from "../../app";
import { readWasmModule } from "../../app/wasm-module";
import { loadModule } from "../../modules";
import { moduleApp } from "../../modules/app";
import { benchOptions, wholeNumber } from "../args";
import { readLinkMap } from "./link-map";
import { kernelParts, Part } from "./kernel-parts";
import { appParts } from "./app-parts";

const HELP = `usage: wisp bench size [--json] [--arch A|all] [--profile P] [--app APP.wasm] [--top N]

  --json        print everything as JSON (every row, with the section sums)
  --arch A      x86_64, aarch64 or all (default all)
  --profile P   the kernel's build profile (default: default)
  --app FILE    the app whose app.so to break down (default: modules/hello-c)
  --top N       folders, files and functions listed (default 25)`;

interface Breakdown {
  file: string;
  fileBytes: number;
  /** Each section's size, and the sum of its rows (equal by construction; checked by the tests). */
  sections: Array<{ name: string; bytes: number; attributed: number }>;
  folders: Array<{ name: string; bytes: Record<string, number>; total: number }>;
  files: Array<{ name: string; bytes: Record<string, number>; total: number }>;
  functions: Array<{ name: string; file: string; section: string; bytes: number }>;
  parts: Part[];
}

/** Groups the parts by `key`, with bytes per section and in all, biggest first. */
function group(parts: Part[], key: (part: Part) => string): Breakdown["folders"] {
  const groups = new Map<string, Record<string, number>>();
  for (const part of parts) {
    const bytes = groups.get(key(part)) ?? {};
    bytes[part.section] = (bytes[part.section] ?? 0) + part.bytes;
    groups.set(key(part), bytes);
  }
  return [...groups].map(([name, bytes]) => ({ name, bytes, total: Object.values(bytes).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total);
}

function breakdown(file: string, sectionSizes: Array<{ name: string; bytes: number }>, parts: Part[]): Breakdown {
  const sections = sectionSizes.map(({ name, bytes }) => ({
    name, bytes, attributed: parts.filter((part) => part.section === name).reduce((sum, part) => sum + part.bytes, 0),
  }));
  for (const section of sections) {
    if (section.attributed !== section.bytes) throw new Error(`${file}: ${section.name} holds ${section.bytes} bytes but ${section.attributed} were attributed`);
  }
  const functions = parts.filter((part) => part.symbol !== null && (part.section === ".text"))
    .map((part) => ({ name: part.symbol!, file: part.file, section: part.section, bytes: part.bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    file, fileBytes: statSync(file).size, sections, folders: group(parts, (part) => part.folder),
    files: group(parts, (part) => part.file), functions, parts,
  };
}

async function kernelBreakdown(arch: Arch, profile: string, log: (line: string) => void): Promise<Breakdown> {
  const built = await buildKernel({ arch, profile: parseProfile(profile), log });
  const outputs = readLinkMap(readFileSync(built.map, "utf8")).filter((output) => output.name !== "" && !output.name.startsWith(".shstrtab"));
  const parts = kernelParts(outputs, arch, readWasmModule(readFileSync(built.wasm)));
  return breakdown(built.elf, outputs.map((output) => ({ name: output.name, bytes: output.size })), parts);
}

async function appBreakdown(arch: Arch, app: string | undefined): Promise<Breakdown> {
  const soPath = app !== undefined ? (await buildApp(app, { arch })).soPath : (await moduleApp([loadModule("hello-c")], arch))!.soPath;
  const parts = appParts(soPath);
  const sections = [...new Set(parts.map((part) => part.section))]
    .map((name) => ({ name, bytes: parts.filter((part) => part.section === name).reduce((sum, part) => sum + part.bytes, 0) }));
  return breakdown(soPath, sections, parts);
}

const SECTIONS = [".text", ".rodata", ".data", ".bss"];

function printBreakdown(title: string, result: Breakdown, top: number): void {
  const kib = (bytes: number) => (bytes / 1024).toFixed(1).padStart(8);
  console.log(`${title}: ${result.file} (${result.fileBytes.toLocaleString("en-US")} bytes on disk)`);
  console.log(`  sections: ${result.sections.map((s) => `${s.name} ${s.bytes.toLocaleString("en-US")}`).join(", ")}`);
  const columns = SECTIONS.filter((name) => result.sections.some((s) => s.name === name));
  const header = `  ${"KiB".padEnd(48)} ${columns.map((c) => c.padStart(8)).join(" ")} ${"loaded".padStart(8)}`;
  const row = (name: string, bytes: Record<string, number>) => {
    const loaded = Object.entries(bytes).filter(([section]) => section !== ".bss").reduce((sum, [, n]) => sum + n, 0);
    return `  ${name.slice(0, 48).padEnd(48)} ${columns.map((c) => kib(bytes[c] ?? 0)).join(" ")} ${kib(loaded)}`;
  };
  const byFile = result.files.length !== result.folders.length;
  console.log(`\n  ${byFile ? "by folder" : "by part"}\n${header}`);
  for (const folder of result.folders.slice(0, top)) console.log(row(folder.name, folder.bytes));
  if (byFile) {
    console.log(`\n  by file\n${header}`);
    for (const file of result.files.slice(0, top)) console.log(row(file.name, file.bytes));
  }
  console.log(`\n  biggest functions (.text bytes)`);
  for (const fn of result.functions.slice(0, top)) console.log(`  ${String(fn.bytes).padStart(8)}  ${fn.name.slice(0, 70)}  (${fn.file.slice(0, 40)})`);
  console.log("");
}

export async function benchSize(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    json: { type: "boolean", default: false },
    arch: { type: "string", default: "all" },
    profile: { type: "string", default: "default" },
    app: { type: "string" },
    top: { type: "string", default: "25" },
  }, HELP);
  if (values === null) return 0;
  const arches: Arch[] = values.arch === "all" ? ARCHES : [parseArch(values.arch as string)];
  const top = wholeNumber(values.top as string, "top", 1, 100_000);
  const profile = values.profile as string;
  parseProfile(profile);
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");
  const results = [];
  for (const arch of arches) {
    const kernel = await kernelBreakdown(arch, profile, log);
    const app = await appBreakdown(arch, values.app as string | undefined);
    results.push({ arch, profile, kernel, app });
  }
  if (values.json) {
    console.log(JSON.stringify({ benchmark: "size", results }, null, 2));
    return 0;
  }
  for (const result of results) {
    printBreakdown(`${result.arch} kernel (${result.profile} profile)`, result.kernel, top);
    printBreakdown(`${result.arch} app.so`, result.app, top);
  }
  return 0;
}

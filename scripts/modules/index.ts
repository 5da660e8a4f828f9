// Modules: folders under modules/ that an image is assembled from.
//
// A module is modules/<name>/module.json:
//
//   {
//     "description": "one line",
//     "requires": ["other-module", ...],          optional
//     "files": "files.manifest",                  optional: a manifest (wisp image syntax)
//                                                 relative to the module's folder
//     "cmdline": "option=value ...",              optional: added to the kernel command line
//     "mounts": ["ramfs /tmp", ...]               optional: lines of the image's /etc/fstab
//   }
//
// resolveModules(names) returns the named modules and everything they require,
// each once, requirements before the modules that need them (a stable
// depth-first order), and refuses unknown modules and cycles by name.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build/files";

export const MODULES_DIR = join(ROOT, "modules");

export interface Module {
  name: string;
  dir: string;
  description: string;
  requires: string[];
  /** The module's file manifest, absolute, or null. */
  files: string | null;
  cmdline: string;
  mounts: string[];
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw new Error(`${what} must be a list of strings`);
  return value as string[];
}

/** Reads modules/<name>/module.json, checking every field. */
export function loadModule(name: string, modulesDir = MODULES_DIR): Module {
  if (!NAME.test(name)) throw new Error(`'${name}' is not a module name (lowercase letters, digits and dashes)`);
  const dir = join(modulesDir, name);
  const file = join(dir, "module.json");
  if (!existsSync(file)) throw new Error(`no module '${name}' (expected ${file})`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`module '${name}': ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const where = `module '${name}'`;
  const known = new Set(["description", "requires", "files", "cmdline", "mounts"]);
  for (const key of Object.keys(json)) if (!known.has(key)) throw new Error(`${where}: unknown field '${key}' in module.json`);
  if (json.files !== undefined && typeof json.files !== "string") throw new Error(`${where}: "files" must be a path`);
  if (json.cmdline !== undefined && typeof json.cmdline !== "string") throw new Error(`${where}: "cmdline" must be a string`);
  const files = json.files === undefined ? null : join(dir, json.files as string);
  if (files !== null && !existsSync(files)) throw new Error(`${where}: its files manifest ${files} does not exist`);
  return {
    name,
    dir,
    description: typeof json.description === "string" ? json.description : "",
    requires: stringList(json.requires, `${where}: "requires"`),
    files,
    cmdline: (json.cmdline as string | undefined) ?? "",
    mounts: stringList(json.mounts, `${where}: "mounts"`),
  };
}

/** Every module under modules/, by name. */
export function listModules(modulesDir = MODULES_DIR): string[] {
  if (!existsSync(modulesDir)) return [];
  return readdirSync(modulesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(modulesDir, entry.name, "module.json")))
    .map((entry) => entry.name)
    .sort();
}

/** The modules `names` need, requirements first, each once. */
export function resolveModules(names: string[], modulesDir = MODULES_DIR): Module[] {
  const done = new Map<string, Module>();
  const visiting: string[] = [];
  const visit = (name: string, neededBy: string | null) => {
    if (done.has(name)) return;
    const cycleStart = visiting.indexOf(name);
    if (cycleStart >= 0) throw new Error(`modules require each other in a cycle: ${[...visiting.slice(cycleStart), name].join(" -> ")}`);
    let module: Module;
    try {
      module = loadModule(name, modulesDir);
    } catch (error) {
      throw new Error(neededBy ? `${(error as Error).message}, required by '${neededBy}'` : (error as Error).message);
    }
    visiting.push(name);
    for (const required of module.requires) visit(required, name);
    visiting.pop();
    done.set(name, module);
  };
  for (const name of names) visit(name, null);
  return [...done.values()];
}

/** The dependency graph of `names` in Graphviz dot: one edge per requirement. */
export function dependencyGraph(names: string[], modulesDir = MODULES_DIR): string {
  const modules = resolveModules(names, modulesDir);
  const lines = ["digraph modules {"];
  for (const module of modules) {
    lines.push(`  "${module.name}";`);
    for (const required of module.requires) lines.push(`  "${module.name}" -> "${required}";`);
  }
  lines.push("}");
  return lines.join("\n");
}

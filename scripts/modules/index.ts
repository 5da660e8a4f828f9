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
//     "mounts": ["ramfs /tmp", ...]               optional: lines of the image's /etc/fstab (TYPE [SOURCE] /PATH [ro|rw])
//     "filesystems": ["zfs", ...]                 optional: filesystem modules the image carries in
//                                                 /lib/modules/ besides those its mounts name (root=zfs:POOL)
//     "app": {                                    optional: the module is a WASI app
//       "source": "hello.c",                      .c (clang --target=wasm32-wasi -O2), .ts (asc) or .wasm
//       "compileFlags": ["..."],                  optional: extra compiler flags
//       "args": ["..."], "env": {"K": "V"},       optional: argv[1..] and the environment
//       "preopens": ["/data", "/tmp"]             optional: directories the app may open
//     }
//   }
//
// An image holds at most one app (scripts/modules/app.ts builds it).
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
  /** Filesystem module types to carry whether or not a mount names them. */
  filesystems: string[];
  app: AppSpec | null;
}

export interface AppSpec {
  /** The app's source, absolute. */
  source: string;
  compileFlags: string[];
  args: string[];
  env: Record<string, string>;
  preopens: string[];
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw new Error(`${what} must be a list of strings`);
  return value as string[];
}

function appSpec(value: unknown, dir: string, where: string): AppSpec | null {
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where}: "app" must be an object`);
  const app = value as Record<string, unknown>;
  const known = new Set(["source", "compileFlags", "args", "env", "preopens"]);
  for (const key of Object.keys(app)) if (!known.has(key)) throw new Error(`${where}: unknown field 'app.${key}' in module.json`);
  if (typeof app.source !== "string" || !/\.(c|ts|wasm)$/.test(app.source)) throw new Error(`${where}: "app.source" must be a .c, .ts or .wasm file`);
  const source = join(dir, app.source);
  if (!existsSync(source)) throw new Error(`${where}: its app source ${source} does not exist`);
  const env = app.env ?? {};
  if (typeof env !== "object" || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== "string")) {
    throw new Error(`${where}: "app.env" must map names to strings`);
  }
  const preopens = stringList(app.preopens, `${where}: "app.preopens"`);
  for (const path of preopens) if (!path.startsWith("/")) throw new Error(`${where}: preopen '${path}' must be an absolute path`);
  return {
    source, compileFlags: stringList(app.compileFlags, `${where}: "app.compileFlags"`),
    args: stringList(app.args, `${where}: "app.args"`), env: env as Record<string, string>, preopens,
  };
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
  const known = new Set(["description", "requires", "files", "cmdline", "mounts", "filesystems", "app"]);
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
    filesystems: stringList(json.filesystems, `${where}: "filesystems"`),
    app: appSpec(json.app, dir, where),
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

// The app a module image runs: a module with an "app" field (module.json)
// has its source compiled to wasm (C with Debian's wasi-libc, AssemblyScript
// with asc, or a ready .wasm), then to an app module by build-app for the
// image's architecture. The image gets /app.so and the run manifest
// /etc/app; the app's preopens are kernel paths under their own names.

import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../build/files";
import type { Arch } from "../build/targets";
import { buildApp } from "../app";
import { runManifestText } from "../run/manifest";
import type { Module } from ".";
import { wasiClangEnv } from "../build/tools";

const run = promisify(execFile);

export interface ModuleApp {
  module: string;
  soPath: string;
  manifest: string;
}

/** Compiles a module's app source to wasm (cached by build-app's content hash after this step). */
async function compileToWasm(module: Module): Promise<string> {
  const app = module.app!;
  if (app.source.endsWith(".wasm")) return app.source;
  const dir = join(ROOT, "build", "modules", module.name);
  mkdirSync(dir, { recursive: true });
  const output = join(dir, "app.wasm");
  try {
    if (app.source.endsWith(".c")) {
      await run("clang", ["--target=wasm32-wasi", "-O2", ...app.compileFlags, app.source, "-o", output], { env: wasiClangEnv() });
    } else {
      // asc from the module's folder: the repository's asconfig.json is the kernel's.
      const asc = join(ROOT, "node_modules", ".bin", "asc");
      await run(asc, [basename(app.source), ...app.compileFlags, "-o", output], { cwd: module.dir });
    }
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`module '${module.name}': compiling ${basename(app.source)} failed:\n${failure.stderr || failure.message}`);
  }
  return output;
}

/** The image's app among `modules` (at most one may have one), built for `arch`; null if none has. */
export async function moduleApp(modules: Module[], arch: Arch): Promise<ModuleApp | null> {
  const withApps = modules.filter((module) => module.app !== null);
  if (withApps.length === 0) return null;
  if (withApps.length > 1) throw new Error(`an image runs one app, but modules ${withApps.map((m) => `'${m.name}'`).join(" and ")} each have one`);
  const module = withApps[0];
  const app = module.app!;
  const built = await buildApp(await compileToWasm(module), { arch });
  const manifest = runManifestText({
    module: "/app.so",
    argv: [module.name, ...app.args],
    env: Object.entries(app.env).map(([name, value]) => `${name}=${value}`),
    preopens: app.preopens.map((path) => ({ guest: path, kernel: path })),
  });
  return { module: module.name, soPath: built.soPath, manifest };
}

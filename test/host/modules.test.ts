// Host tier: module resolution (scripts/modules). Guards that requirements
// come before the modules that need them, each module once; that unknown
// modules, cycles and malformed module.json files are refused by name; and
// that the dependency graph lists every requirement.

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dependencyGraph, listModules, loadModule, resolveModules } from "../../scripts/modules";

function moduleTree(modules: Record<string, object | string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wisp-modules-"));
  for (const [name, json] of Object.entries(modules)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "module.json"), typeof json === "string" ? json : JSON.stringify(json));
  }
  return dir;
}

const names = (dir: string, wanted: string[]) => resolveModules(wanted, dir).map((module) => module.name);

describe("modules", () => {
  it("orders requirements first, each module once", () => {
    const dir = moduleTree({
      app: { requires: ["libc", "data"] }, libc: { requires: ["base"] }, data: { requires: ["base"] }, base: {}, unused: {},
    });
    expect(names(dir, ["app"])).toEqual(["base", "libc", "data", "app"]);
    expect(names(dir, ["data", "app"])).toEqual(["base", "data", "libc", "app"]);
    expect(listModules(dir)).toEqual(["app", "base", "data", "libc", "unused"]);
  });

  it("refuses cycles, naming them", () => {
    const dir = moduleTree({ a: { requires: ["b"] }, b: { requires: ["c"] }, c: { requires: ["a"] } });
    expect(() => resolveModules(["a"], dir)).toThrow("modules require each other in a cycle: a -> b -> c -> a");
  });

  it("names an unknown module and who requires it", () => {
    const dir = moduleTree({ app: { requires: ["missing"] } });
    expect(() => resolveModules(["app"], dir)).toThrow(/no module 'missing' .* required by 'app'/);
    expect(() => resolveModules(["Bad Name"], dir)).toThrow("'Bad Name' is not a module name");
  });

  it("refuses malformed module.json files", () => {
    const dir = moduleTree({ broken: "{ nope", extra: { colour: "blue" }, list: { requires: "base" }, files: { files: "absent.manifest" } });
    expect(() => loadModule("broken", dir)).toThrow(/module 'broken': .* is not valid JSON/);
    expect(() => loadModule("extra", dir)).toThrow("module 'extra': unknown field 'colour' in module.json");
    expect(() => loadModule("list", dir)).toThrow(`module 'list': "requires" must be a list of strings`);
    expect(() => loadModule("files", dir)).toThrow(/its files manifest .*absent.manifest does not exist/);
  });

  it("draws every requirement in the graph", () => {
    const dir = moduleTree({ app: { requires: ["base", "data"] }, data: { requires: ["base"] }, base: {} });
    const graph = dependencyGraph(["app"], dir);
    expect(graph).toContain(`"app" -> "base";`);
    expect(graph).toContain(`"app" -> "data";`);
    expect(graph).toContain(`"data" -> "base";`);
    expect(graph.startsWith("digraph modules {")).toBe(true);
  });

  it("loads the project's own modules", () => {
    expect(resolveModules(["demo-files"]).map((module) => module.name)).toEqual(["base", "demo-files"]);
    expect(loadModule("base").mounts).toEqual(["ramfs /tmp"]);
  });
});

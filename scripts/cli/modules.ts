// wisp modules: what modules exist and what they need.
//
//   wisp modules list              every module with its description
//   wisp modules deps M... [--graph]
//                                  the modules M needs, requirements first
//                                  (the order an image is built in); --graph
//                                  prints the dependency graph as Graphviz dot

import { parseArgs } from "node:util";
import { dependencyGraph, listModules, loadModule, resolveModules } from "../modules";
import { UsageError } from "./errors";

const HELP = `usage: wisp modules list
       wisp modules deps MODULE... [--graph]

  list      every module under modules/ with its description
  deps      the modules MODULE needs, requirements first, one per line
  --graph   print the dependency graph in Graphviz dot instead`;

export async function modulesCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { graph: { type: "boolean", default: false }, help: { type: "boolean" } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const [what, ...names] = positionals;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (what === "list" && names.length === 0) {
    for (const name of listModules()) console.log(`${name.padEnd(20)} ${loadModule(name).description}`);
    return 0;
  }
  if (what === "deps" && names.length > 0) {
    console.log(values.graph ? dependencyGraph(names) : resolveModules(names).map((module) => module.name).join("\n"));
    return 0;
  }
  throw new UsageError(HELP);
}

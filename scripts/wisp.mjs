#!/usr/bin/env node
// The `wisp` command: loads the TypeScript CLI in scripts/cli/ through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli/main.ts");
process.exitCode = await main(process.argv.slice(2));

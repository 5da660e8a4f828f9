// vitest's global setup: builds the kernels the boot tier boots before any
// test file starts, one `wisp build` per profile with both architectures
// in each (asc compiles the second in a fraction of the first's time), the
// profiles side by side. Without it, the first boot test of each kind
// builds its kernel alone while the other worker's files wait on the
// build's lock. Builds are cached: with nothing changed this is a few
// stamp checks.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PROFILES = ["default", "test", "cooperative+test"];

function build(profile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/wisp.mjs", "build", "--profile", profile], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve() : reject(new Error(`wisp build --profile ${profile} failed:\n${output}`))));
  });
}

export default async function prebuild(): Promise<void> {
  await Promise.all(PROFILES.map(build));
}

#!/usr/bin/env node
// Compiles the WASI conformance programs (test/apps/*.c, listed in
// programs.json) with wasi-libc and runs each under Node's WASI (node:wasi,
// preview1), to check the tests themselves against a second implementation.
//
//   node test/apps/run-node.mjs [name...] [--verbose]
//
// Each program runs in its own Node child with a fresh temporary /sandbox and
// a fresh copy of test/apps/fixtures as /fixtures; its stdout is read by
// tap.mjs: every check its plan (`1..N`) announces must be reported exactly
// once. Ends with "N passed, N failed" over all checks and exits non-zero if
// any check failed, a program's report does not match its plan, or a program
// exited with the wrong code.
import { spawnSync, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTap } from "./tap.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const OUT = join(ROOT, "build", "apps-tests");

/**
 * Checks Node's WASI (uvwasi) is known to get wrong, by program. `skip: true`
 * ones cannot run (they would hang, crash or change the fixtures) and are
 * skipped through WISP_TEST_SKIP; the others run and are expected to print
 * `not ok` (counted as known deviations, not failures). `hides: N`: when the
 * check fails, the N checks that depend on it do not run, and the program
 * reports that many fewer than its plan.
 */
const NODE_DEVIATIONS = {
  "args-env": [{ check: "args_sizes_get with an out-of-memory pointer fails with FAULT", why: "uvwasi answers OVERFLOW for pointers outside linear memory" }],
  "clocks-random": [
    { check: "random_get into an out-of-memory buffer is FAULT", why: "uvwasi answers OVERFLOW for pointers outside linear memory" },
    { check: "libc nanosleep 20 ms lasts at least 20 ms", why: "nanosleep is a relative poll_oneoff; uvwasi hands it to a libuv timer in whole milliseconds against a loop clock read earlier, so it can return up to 1 ms early" },
  ],
  fds: [
    { check: "fd_filestat_set_times sets atim", why: "uvwasi hands whole seconds to libuv: the nanoseconds of an explicit timestamp are dropped" },
    { check: "fd_filestat_set_times sets mtim", why: "as above: sub-second parts dropped" },
    { check: "fd_filestat_set_times without ATIM keeps atim", why: "as above: the atim set earlier lost its sub-second part" },
    { check: "fd_fdstat_get shows APPEND", why: "uvwasi's fd_fdstat_get reports the host's open flags (O_RDWR|O_APPEND|O_LARGEFILE = 0x8402) instead of WASI fdflags" },
    {
      check: "/fixtures is read-only",
      skip: true,
      why: "Node's WASI has no read-only preopens (and the runner, as root, cannot make its copy read-only): the writes would succeed and change the fixtures",
    },
  ],
  paths: [
    {
      check: "path_filestat_set_times MTIM with MTIM_NOW is INVAL",
      skip: true,
      why: "uvwasi answers INVAL but keeps the directory descriptor's lock, so the next call on /sandbox deadlocks",
    },
    { check: "path_open without FOLLOW on a symlink is LOOP", why: "uvwasi's path_open ignores lookupflags for the last component and opens the symlink's target" },
  ],
  process: [{ check: "sock_* on stdout", skip: true, why: "with stdout a pipe, uvwasi's sock_accept on it crashes Node (SIGSEGV)" }],
  poll: [
    {
      check: "poll_oneoff absolute monotonic deadlines",
      skip: true,
      why: "uvwasi turns every ABSTIME deadline into a delay against the realtime clock, so a monotonic deadline underflows into a wait of centuries",
    },
    { check: "poll_oneoff relative clock waits at least its timeout", why: "uvwasi hands a relative timeout to a libuv timer in whole milliseconds against a loop clock read earlier, so it can return up to 1 ms early" },
    { check: "poll_oneoff realtime deadline is reached", why: "uvwasi waits with a libuv timer in whole milliseconds, truncated, so it can wake up to 1 ms before an absolute deadline" },
    { check: "poll_oneoff fd_read on a regular file", hides: 2, why: "uvwasi polls with epoll, which refuses regular files (EPERM); the spec's files are always ready" },
    { check: "poll_oneoff fd_write on a regular file", hides: 1, why: "as above: epoll refuses regular files" },
    { check: "poll_oneoff fd_read and fd_write together", hides: 1, why: "as above: epoll refuses regular files" },
    { check: "libc usleep 15 ms", why: "usleep is a relative poll_oneoff; uvwasi hands it to a libuv timer in whole milliseconds against a loop clock read earlier, so it can wake up to 1 ms early" },
    { check: "poll_oneoff on a closed fd reports BADF", why: "uvwasi drops a subscription on a closed descriptor silently and waits for the clock instead" },
  ],
};

/** Runs one compiled program in this process (the child side). */
async function runChild(wasmPath, configJson) {
  const { WASI } = await import("node:wasi");
  const config = JSON.parse(configJson);
  const wasi = new WASI({
    version: "preview1",
    args: [config.name, ...config.args],
    env: config.env,
    preopens: config.preopens,
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const code = wasi.start(instance);
  process.exitCode = code;
}

/** clang --target=wasm32-wasi -O2, skipped when the .wasm is newer than its sources. */
function compile(source) {
  mkdirSync(OUT, { recursive: true });
  const input = join(HERE, source);
  const output = join(OUT, source.replace(/\.c$/, ".wasm"));
  const newest = Math.max(statSync(input).mtimeMs, statSync(join(HERE, "tap.h")).mtimeMs);
  let fresh = false;
  try {
    fresh = statSync(output).mtimeMs > newest;
  } catch {}
  if (!fresh) execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror", input, "-o", output], { stdio: "inherit" });
  return output;
}

function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return runChild(argv[1], argv[2]);
  const verbose = argv.includes("--verbose");
  const only = argv.filter((arg) => !arg.startsWith("--"));
  const { programs } = JSON.parse(readFileSync(join(HERE, "programs.json"), "utf8"));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let deviated = 0;
  const failures = [];
  const notes = [];
  for (const program of programs) {
    if (only.length && !only.includes(program.name)) continue;
    const wasm = compile(program.source);
    const scratch = mkdtempSync(join(tmpdir(), `wisp-apps-${program.name}-`));
    const sandbox = join(scratch, "sandbox");
    const fixtures = join(scratch, "fixtures");
    mkdirSync(sandbox);
    cpSync(join(HERE, "fixtures"), fixtures, { recursive: true });
    const deviations = NODE_DEVIATIONS[program.name] ?? [];
    const skips = deviations.filter((deviation) => deviation.skip).map((deviation) => deviation.check);
    const env = skips.length ? { ...program.env, WISP_TEST_SKIP: skips.join("\n") } : program.env;
    const config = { name: program.name, args: program.args, env, preopens: { "/sandbox": sandbox, "/fixtures": fixtures } };
    const result = spawnSync(process.execPath, ["--no-warnings", fileURLToPath(import.meta.url), "--child", wasm, JSON.stringify(config)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
    rmSync(scratch, { recursive: true, force: true });
    const lines = result.stdout.split("\n");
    let programFailed = 0;
    let hidden = 0;
    const known = (line) => deviations.find((deviation) => !deviation.skip && (line === `not ok ${deviation.check}` || line.startsWith(`not ok ${deviation.check}: `) || line === `ok ${deviation.check}`));
    for (const line of lines) {
      const deviation = known(line);
      if (deviation && line.startsWith("not ok ")) {
        deviated++;
        hidden += deviation.hides ?? 0;
        notes.push(`${program.name}: known Node deviation: ${line}\n    (${deviation.why})`);
      } else if (deviation) {
        passed++;
        notes.push(`${program.name}: listed as a Node deviation but passed: ${line}`);
      } else if (line.startsWith("not ok ")) {
        failed++;
        programFailed++;
        failures.push(`${program.name}: ${line}`);
      } else if (line.startsWith("ok ")) {
        if (line.includes(" # SKIP ")) {
          skipped++;
          const skippedDeviation = deviations.find((d) => d.skip && (line.startsWith(`ok ${d.check} # SKIP`) || line.startsWith(`ok ${d.check} (1 of `)));
          if (skippedDeviation) notes.push(`${program.name}: skipped under Node: ${skippedDeviation.check}\n    (${skippedDeviation.why})`);
        } else passed++;
      }
      if (verbose && line) console.log(`  ${line}`);
    }
    for (const problem of readTap(result.stdout, hidden).problems) {
      failed++;
      programFailed++;
      failures.push(`${program.name}: ${problem}`);
    }
    const expectedCode = programFailed === 0 && lines.some((line) => line.startsWith("not ok ")) ? 1 : program.exit;
    const code = result.status;
    if (code !== expectedCode) {
      failed++;
      failures.push(`${program.name}: exited with ${code ?? result.signal}, want ${program.exit}${result.stderr ? `\n${result.stderr.trim()}` : ""}`);
    }
    console.log(`${programFailed === 0 && code === expectedCode ? "PASS" : "FAIL"} ${program.name} (exit ${code ?? result.signal})`);
  }
  for (const note of notes) console.log(note);
  for (const failure of failures) console.log(failure);
  if (deviated) console.log(`# ${deviated} known Node deviations (not counted as failures)`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();

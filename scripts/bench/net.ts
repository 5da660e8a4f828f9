// wisp bench net: what serving HTTP from a Wisp microVM costs, against the
// same C server (modules/http-static) built natively and run on the host's
// loopback in the same run, under TCG.
//
//   cold start     exec of QEMU (or of the native server) to the first
//                  complete 200 at the client: median and p95 of --runs,
//                  interleaved with boots of the empty kernel (the floor: a
//                  QEMU that starts and powers off at once)
//   requests       a small file over keep-alive connections, closed loop, at
//                  concurrency 1 and 32: requests per second, p50 and p99
//   bulk           one --bulk-mib file fetched (guest to host) and the same
//                  amount sent as a request body (host to guest): MB/s
//   calling out    modules/net-client (WasmEdge's sockets) against its native
//                  build: connect + GET + close round trips per second to a
//                  server on the host, and DNS lookups from the cache and from
//                  the network in guest instructions (net/calling-out.ts)
//   instructions   separate boots under -icount shift=0,sleep=on (a busy
//                  nanosecond of guest time is an instruction; idle time
//                  keeps to the host's clock): the guest CPU's busy time
//                  for the requests and each bulk transfer, less that of a
//                  run with just the first request, per request and per
//                  frame the device received or sent
//
// The client (scripts/bench/net/load.ts) opens its connections one after
// another: QEMU's user network forwards the port through a listening socket
// with a backlog of one (scripts/bench/net/http-client.ts).

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildKernel } from "../build";
import { ROOT } from "../build/files";
import { parseArch, type Arch } from "../build/targets";
import { boot } from "../run";
import { defaultMachine, qemuCommand, type Net } from "../run/qemu";
import { prepareAppImage } from "../run/app";
import { kernelWithRoot } from "../run/linked-image";
import { networkKernelOptions } from "../run/network";
import { benchOptions, wholeNumber } from "./args";
import { buildEmptyKernel } from "./boot";
import { summarize } from "./stats";
import { freePort, startGuestServer, startNativeServer, type RunningServer } from "./net/servers";
import { requestLoop, download, upload, type LoadResult, type TransferResult } from "./net/load";
import { benchCallingOut } from "./net/calling-out";
import { wasiClangEnv } from "../build/tools";

const HELP = `usage: wisp bench net [--runs N] [--requests N] [--bulk-mib N] [--round-trips N] [--json] [--arch A] [--no-instructions]

  --runs N            cold starts of each server, and boots of the empty kernel (default 5)
  --requests N        requests at each concurrency (default 2000; at most 60 s each)
  --bulk-mib N        MiB of each bulk transfer (default 16)
  --round-trips N     connect + GET + close round trips of the calling-out row (default 200)
  --json              print the results and raw samples as JSON
  --arch A            x86_64 (default) or aarch64
  --no-instructions   skip the -icount boots that count guest instructions`;

const MODULE = join(ROOT, "modules", "http-static");
const GUEST_PORT = 8080;
const SMALL = "/index.html";
const BULK = "/bulk.bin";
const CONCURRENCIES = [1, 32];
const LOOP_BUDGET_MS = 60_000;
/** Requests in the run that counts instructions per request. */
const COUNTED_REQUESTS = 200;
const READY_LINE = "http-static: serving";

interface Setup {
  arch: Arch;
  www: string;
  small: Buffer;
  bulk: Buffer;
  native: string;
  kernelElf: string;
  guestCommand: (port: number, icount: boolean) => string[];
}

export async function benchNet(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    runs: { type: "string", default: "5" },
    requests: { type: "string", default: "2000" },
    "bulk-mib": { type: "string", default: "16" },
    "round-trips": { type: "string", default: "200" },
    json: { type: "boolean", default: false },
    arch: { type: "string", default: "x86_64" },
    "no-instructions": { type: "boolean", default: false },
  }, HELP);
  if (values === null) return 0;
  const runs = wholeNumber(values.runs, "runs", 1, 1000);
  const requests = wholeNumber(values.requests, "requests", 1, 1_000_000);
  const bulkMib = wholeNumber(values["bulk-mib"], "bulk-mib", 1, 256);
  const roundTrips = wholeNumber(values["round-trips"], "round-trips", 1, 100_000);
  const arch = parseArch(values.arch);
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const setup = await prepare(arch, bulkMib);
  const empty = await buildEmptyKernel(arch);
  const emptyCommand = qemuCommand({ arch, accel: "tcg", machine: defaultMachine(arch), memory: "64M", kernel: empty, cmdline: "" });

  log(`cold start: ${runs} runs each of the guest server, the native server and the empty kernel, interleaved`);
  const cold = { wisp: [] as number[], native: [] as number[], emptyKernel: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const run = await boot(emptyCommand, { timeout: 60, stream: false });
    if (run.outcome.kind !== "status" || run.outcome.status !== 0) throw new Error(`the empty kernel did not boot (${JSON.stringify(run.outcome)})`);
    cold.emptyKernel.push(run.wallMs);
    const guest = await startGuest(setup);
    cold.wisp.push(guest.firstAnswerMs);
    await guest.stop();
    const native = await startNative(setup);
    cold.native.push(native.firstAnswerMs);
    await native.stop();
  }

  const load = { wisp: await underLoad(setup, "wisp", requests, log), native: await underLoad(setup, "native", requests, log) };
  const instructions = values["no-instructions"] ? null : await countInstructions(setup, log);
  const callingOut = await benchCallingOut(arch, setup.kernelElf, roundTrips, log);

  const ratio = (wisp: number, native: number) => wisp / native;
  const coldStart = {
    unit: "ms",
    wisp: summarize(cold.wisp), native: summarize(cold.native), emptyKernel: summarize(cold.emptyKernel),
    ratio: ratio(summarize(cold.wisp).median, summarize(cold.native).median),
    aboveEmptyKernel: summarize(cold.wisp).median - summarize(cold.emptyKernel).median,
  };
  const requestRows = CONCURRENCIES.map((connections, index) => ({
    connections,
    wisp: load.wisp.loops[index], native: load.native.loops[index],
    ratio: ratio(load.native.loops[index].requestsPerSecond, load.wisp.loops[index].requestsPerSecond),
  }));
  const bulk = {
    bytes: bulkMib << 20,
    guestToHost: { wisp: load.wisp.download, native: load.native.download, ratio: ratio(load.native.download.megabytesPerSecond, load.wisp.download.megabytesPerSecond) },
    hostToGuest: { wisp: load.wisp.upload, native: load.native.upload, ratio: ratio(load.native.upload.megabytesPerSecond, load.wisp.upload.megabytesPerSecond) },
  };
  const result = {
    benchmark: "net", arch, machine: defaultMachine(arch), accel: "tcg", runs,
    ratios: "wisp / native for times, native / wisp for rates: above 1 means Wisp is slower",
    coldStart, requests: requestRows, bulk, instructions, callingOut,
    raw: { coldStartMs: cold },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printReport(result);
  return 0;
}

interface ServerLoad {
  loops: LoadResult[];
  download: TransferResult;
  upload: TransferResult;
}

/** One boot of a server: the request loops at each concurrency, then both bulk transfers. */
async function underLoad(setup: Setup, which: "wisp" | "native", requests: number, log: (line: string) => void): Promise<ServerLoad> {
  log(`${which}: ${requests} requests at concurrency ${CONCURRENCIES.join(" and ")}, then ${setup.bulk.length >> 20} MiB each way`);
  const server = which === "wisp" ? await startGuest(setup) : await startNative(setup);
  const loops: LoadResult[] = [];
  for (const connections of CONCURRENCIES) loops.push(await requestLoop(server.port, SMALL, setup.small, connections, requests, LOOP_BUDGET_MS));
  const got = await download(server.port, BULK, setup.bulk);
  const sent = await upload(server.port, setup.bulk.length, SMALL, setup.small);
  await server.stop();
  return { loops, download: got, upload: sent };
}

/** What the guest kernel reports at power-off (meminfo): busy ticks, the counter's rate and the frame counters. */
interface GuestReport {
  busyTicks: number;
  hz: number;
  framesIn: number;
  framesOut: number;
}

function parseReport(kernel: string): GuestReport {
  const cpu = /cpu-raw ticks=(\d+) idle=(\d+) hz=(\d+)/.exec(kernel);
  if (cpu === null) throw new Error(`the guest printed no cpu-raw line:\n${kernel}`);
  const counter = (name: string) => Number(new RegExp(`net-counter ${name.replace(".", "\\.")} (\\d+)`).exec(kernel)?.[1] ?? 0);
  return { busyTicks: Number(cpu[1]) - Number(cpu[2]), hz: Number(cpu[3]), framesIn: counter("frames.in"), framesOut: counter("frames.out") };
}

/**
 * Guest instructions per request and per frame: boots under -icount, each
 * against the same first request and /__exit, compared with a boot that
 * does only those.
 */
async function countInstructions(setup: Setup, log: (line: string) => void) {
  log(`instructions: four boots under -icount (baseline, ${COUNTED_REQUESTS} requests, each bulk transfer)`);
  const counted = async (work: (port: number) => Promise<unknown>) => {
    const server = await startGuest(setup, true);
    await work(server.port);
    return parseReport(await server.stop());
  };
  const base = await counted(async () => {});
  let loopRequests = 0;
  const requests = await counted(async (port) => (loopRequests = (await requestLoop(port, SMALL, setup.small, 1, COUNTED_REQUESTS, LOOP_BUDGET_MS * 5)).requests + 1));
  const sent = await counted((port) => download(port, BULK, setup.bulk));
  const received = await counted((port) => upload(port, setup.bulk.length, SMALL, setup.small, 600_000));
  const instructions = (report: GuestReport) => ((report.busyTicks - base.busyTicks) * 1e9) / report.hz;
  return {
    note: "guest CPU busy time under -icount shift=0,sleep=on less the baseline boot's; the frames are all the device's, both ways",
    perRequest: Math.round(instructions(requests) / loopRequests),
    perTransmittedFrame: Math.round(instructions(sent) / (sent.framesOut - base.framesOut)),
    perReceivedFrame: Math.round(instructions(received) / (received.framesIn - base.framesIn)),
    raw: { base, requests: { ...requests, count: loopRequests }, guestToHost: sent, hostToGuest: received },
  };
}

function printReport(result: any): void {
  const c = result.coldStart;
  const fixed = (value: number, digits = 1) => value.toFixed(digits);
  console.log("cold start, exec to first 200 (ms)");
  console.log(`  wisp ${fixed(c.wisp.median)} median, ${fixed(c.wisp.p95)} p95; native ${fixed(c.native.median)}; empty kernel ${fixed(c.emptyKernel.median)}; wisp/native ${fixed(c.ratio, 2)}`);
  console.log("requests for a small file");
  for (const row of result.requests) {
    console.log(`  concurrency ${row.connections}: wisp ${fixed(row.wisp.requestsPerSecond, 0)} req/s (p50 ${fixed(row.wisp.latencyMs.p50, 2)} ms, p99 ${fixed(row.wisp.latencyMs.p99, 2)} ms); native ${fixed(row.native.requestsPerSecond, 0)} req/s (p50 ${fixed(row.native.latencyMs.p50, 2)}, p99 ${fixed(row.native.latencyMs.p99, 2)}); native/wisp ${fixed(row.ratio, 2)}`);
  }
  console.log(`bulk, ${result.bulk.bytes >> 20} MiB`);
  for (const [name, row] of [["guest to host", result.bulk.guestToHost], ["host to guest", result.bulk.hostToGuest]] as const) {
    console.log(`  ${name}: wisp ${fixed(row.wisp.megabytesPerSecond)} MB/s, native ${fixed(row.native.megabytesPerSecond)} MB/s; native/wisp ${fixed(row.ratio, 2)}`);
  }
  const out = result.callingOut;
  console.log(`calling out (modules/net-client): ${out.roundTrips.count} connect + GET + close round trips: wisp ${fixed(out.roundTrips.wisp.perSecond, 0)}/s, native ${fixed(out.roundTrips.native.perSecond, 0)}/s; native/wisp ${fixed(out.roundTrips.ratio, 2)}`);
  console.log(`  DNS lookup: ${out.dnsInstructions.fromCache} guest instructions from the cache, ${out.dnsInstructions.fromNetwork} from the network`);
  if (result.instructions) {
    const i = result.instructions;
    console.log(`guest instructions: ${i.perRequest} per request, ${i.perTransmittedFrame} per frame sent, ${i.perReceivedFrame} per frame received`);
  }
}

async function startGuest(setup: Setup, icount = false): Promise<RunningServer> {
  const port = await freePort();
  return startGuestServer(setup.guestCommand(port, icount), port, icount ? READY_LINE : undefined);
}

async function startNative(setup: Setup): Promise<RunningServer> {
  return startNativeServer(setup.native, await freePort(), setup.www);
}

/** Builds the kernel, the server for both sides, its document root and the guest's image. */
async function prepare(arch: Arch, bulkMib: number): Promise<Setup> {
  const dir = join(ROOT, "build", "bench", "net");
  const www = join(dir, "www");
  mkdirSync(www, { recursive: true });
  copyFileSync(join(MODULE, "www", "index.html"), join(www, "index.html"));
  const bulk = Buffer.alloc(bulkMib << 20);
  for (let i = 0; i < bulk.length; i += 4) bulk.writeUInt32LE((Math.imul(i, 2654435761) ^ i) >>> 0, i);
  writeFileSync(join(www, "bulk.bin"), bulk);
  const wasm = join(dir, "http-static.wasm");
  const native = join(dir, "http-static");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", join(MODULE, "http-static.c"), "-o", wasm], { env: wasiClangEnv() });
  execFileSync("clang", ["-O2", join(MODULE, "http-static.c"), "-o", native]);
  const kernel = await buildKernel({ arch, log: () => {} });
  const image = await prepareAppImage({ wasm, arch, args: ["--root", "/www"], env: [], dirs: [{ host: www, guest: "/www", mode: "image" }] });
  const root = kernelWithRoot(arch, kernel.elf, image.path);
  const guestCommand = (port: number, icount: boolean) => {
    const nets: Net[] = [{ kind: "user", forwards: [{ hostAddress: "127.0.0.1", hostPort: port, guestPort: GUEST_PORT }] }];
    const cmdline = ["console=streams quiet", icount ? "meminfo" : "", ...networkKernelOptions(nets, "")].filter(Boolean).join(" ");
    // sleep=on: while the guest waits for the client its clock keeps to real time, so no timer of the
    // server (its idle timeout) or of TCP fires early; busy time is still counted in instructions.
    return qemuCommand({ arch, accel: "tcg", machine: defaultMachine(arch), memory: "256M", rng: true, icount, icountSleep: true, nets, cmdline, ...root });
  };
  return { arch, www, small: readFileSync(join(www, "index.html")), bulk, native, kernelElf: kernel.elf, guestCommand };
}

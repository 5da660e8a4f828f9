// wisp bench net's rows for an app that calls out (modules/net-client,
// built for WasmEdge's sockets), against the same C program built
// natively (native-sockets.h) in the same run:
//
//   round trips   N times connect, GET, read the answer, close, to an HTTP
//                 server this process runs on 127.0.0.1 (the guest reaches it
//                 as 10.0.2.2): round trips per second, as the client itself
//                 times them
//   DNS lookups   from the cache and from the network (a name server this
//                 process runs, dns=10.0.2.2:PORT), in guest instructions:
//                 boots under -icount whose CPU busy time is compared
//                 (lookups of one name 1 and 1+CACHED times; FRESH new names)

import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { createSocket } from "node:dgram";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import packet from "dns-packet";
import { ROOT } from "../../build/files";
import type { Arch } from "../../build/targets";
import { prepareAppImage } from "../../run/app";
import { defaultMachine, qemuCommand } from "../../run/qemu";
import { kernelWithRoot } from "../../run/linked-image";
import { bootApp } from "../app-boot";
import { wasiClangEnv } from "../../build/tools";

const MODULE = join(ROOT, "modules", "net-client");
const NAME = "bench.wisp.test";
const CACHED = 200;
const FRESH = 50;

export interface CallingOut {
  roundTrips: { count: number; wisp: { ms: number; perSecond: number }; native: { ms: number; perSecond: number }; ratio: number };
  dnsInstructions: { fromCache: number; fromNetwork: number; raw: { one: number; cached: number; fresh: number } };
}

/** The guest's busy ticks and the counter's rate from its cpu-raw line. */
function busy(kernel: string): { ticks: number; hz: number } {
  const cpu = /cpu-raw ticks=(\d+) idle=(\d+) hz=(\d+)/.exec(kernel);
  if (cpu === null) throw new Error(`the guest printed no cpu-raw line:\n${kernel}`);
  return { ticks: Number(cpu[1]) - Number(cpu[2]), hz: Number(cpu[3]) };
}

export async function benchCallingOut(arch: Arch, kernelElf: string, roundTrips: number, log: (line: string) => void): Promise<CallingOut> {
  const dir = join(ROOT, "build", "bench", "net");
  const wasm = join(dir, "net-client.wasm");
  const native = join(dir, "net-client");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", join(MODULE, "net-client.c"), "-o", wasm], { env: wasiClangEnv() });
  execFileSync("clang", ["-O2", join(MODULE, "net-client.c"), "-o", native]);

  const http = createServer((_, response) => response.end("ok\n"));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const httpPort = (http.address() as AddressInfo).port;
  const dns = createSocket("udp4");
  dns.on("message", (message, from) => {
    const query = packet.decode(message);
    const question = query.questions![0];
    const answers = question.name.endsWith(NAME) && question.type === "A" ? [{ type: "A" as const, name: question.name, ttl: 300, data: "10.0.2.2" }] : [];
    dns.send(packet.encode({ id: query.id, type: "response", flags: packet.RECURSION_DESIRED, questions: query.questions, answers }), from.port, from.address);
  });
  await new Promise<void>((resolve) => dns.bind(0, "127.0.0.1", resolve));
  const dnsPort = dns.address().port;

  const guest = async (args: string[], icount: boolean) => {
    const image = await prepareAppImage({ wasm, arch, args, env: [], dirs: [] });
    const command = qemuCommand({
      arch, accel: "tcg", machine: defaultMachine(arch), memory: "64M", rng: true, icount, icountSleep: true,
      nets: [{ kind: "user", forwards: [] }], ...kernelWithRoot(arch, kernelElf, image.path),
      cmdline: `console=streams quiet ${icount ? "meminfo " : ""}ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.2:${dnsPort}`,
    });
    const run = await bootApp(command, 300);
    if (run.status !== 0) throw new Error(`net-client ${args.join(" ")} ended with ${run.status}:\n${run.kernel}${run.stderr}`);
    return run;
  };
  const elapsed = (stdout: string) => {
    const match = /in ([\d.]+) ms/.exec(stdout);
    if (match === null) throw new Error(`net-client printed no time: ${stdout}`);
    return Number(match[1]);
  };

  try {
    log(`calling out: ${roundTrips} connect + GET + close round trips from the guest and natively`);
    const wispMs = elapsed((await guest(["loop", "10.0.2.2", String(httpPort), "/", String(roundTrips)], false)).stdout);
    // Not execFileSync: the server it talks to lives in this process's event loop.
    const nativeMs = elapsed((await promisify(execFile)(native, ["loop", "127.0.0.1", String(httpPort), "/", String(roundTrips)], { encoding: "utf8", timeout: 300_000 })).stdout);
    log("calling out: DNS lookups under -icount (one, from the cache, fresh names)");
    const ticks = async (args: string[]) => busy((await guest(args, true)).kernel);
    const one = await ticks(["lookups", NAME, "1"]);
    const cached = await ticks(["lookups", NAME, String(1 + CACHED)]);
    const fresh = await ticks(["lookups-fresh", NAME, String(1 + FRESH)]);
    const instructions = (ticks: number) => (ticks * 1e9) / one.hz;
    const rate = (ms: number) => roundTrips / (ms / 1000);
    return {
      roundTrips: {
        count: roundTrips,
        wisp: { ms: wispMs, perSecond: rate(wispMs) },
        native: { ms: nativeMs, perSecond: rate(nativeMs) },
        ratio: rate(nativeMs) / rate(wispMs),
      },
      dnsInstructions: {
        fromCache: Math.round(instructions(cached.ticks - one.ticks) / CACHED),
        fromNetwork: Math.round(instructions(fresh.ticks - one.ticks) / FRESH),
        raw: { one: one.ticks, cached: cached.ticks, fresh: fresh.ticks },
      },
    };
  } finally {
    http.close();
    dns.close();
  }
}

// wisp bench peers: Wisp beside other things QEMU boots, in one run.
//
// Rows: the empty PVH kernel (the reference every ratio divides by), Wisp's
// kernel alone, Wisp with the hello app (wisp-rows.ts), a Linux microVM
// built from Debian packages (linux-image.ts, linux-row.ts), and any
// --peer NAME='QEMU COMMAND' the user adds (command-row.ts). All boot under
// TCG, interleaved round by round (measure.ts), each boot's output checked.
// Per row: host wall time from spawn to exit (median, p95), the ratio of
// medians to the empty kernel, the bytes of the files booted, and the
// smallest -m that still boots (memory.ts).

import { statSync } from "node:fs";
import { buildKernel } from "../../build";
import { UsageError } from "../../cli/errors";
import { parseMemorySize } from "../../run/memory-size";
import { defaultMachine, shellQuote } from "../../run/qemu";
import { writeModuleImage } from "../../modules/write";
import { benchOptions, wholeNumber } from "../args";
import { buildEmptyKernel, qemuVersion } from "../boot";
import { summarize } from "../stats";
import { commandPeer, commandPeerSpecs } from "./command-row";
import { buildLinuxImage } from "./linux-image";
import { linuxPeer } from "./linux-row";
import { interleavedWallTimes } from "./measure";
import { smallestMemory } from "./memory";
import { imageBytes, Peer } from "./peer";
import { markdownReport, PeerRow, PeersResult, textReport } from "./report";
import { emptyPeer, helloPeer, wispPeer } from "./wisp-rows";

const HELP = `usage: wisp bench peers [--runs N] [--json | --markdown] [--mem SIZE] [--no-memory]
                        [--peer NAME='QEMU COMMAND']... [--expect NAME=TEXT]...

  --runs N        interleaved rounds: boots of every row (default 10)
  --json          print the rows, every sample and memory probe as JSON
  --markdown      print a markdown table for the README, with this command line above it
  --mem SIZE      -m of the timed boots of the built-in rows (default 128M; Linux needs about 70M)
  --no-memory     skip the search for each row's smallest -m
  --peer N='CMD'  one more row: a shell command line, timed from spawn to exit; it boots
                  when it exits with status 0. Its smallest -m is searched when it has a
                  plain -m SIZE (replaced, SIZE the upper bound); its image is the files
                  after -kernel and -initrd
  --expect N=TEXT the --peer row N boots when TEXT is in its output, whatever its status

The Linux row is Debian's cloud kernel and busybox-static, fetched with apt-get download
into build/peers/ (nothing is installed); see docs/boot.md.`;

/** The rows that are always there, in the order they are printed. */
export const BUILT_IN_ROWS = ["empty", "wisp", "wisp-hello", "linux"] as const;

/** "QEMU 7.2.22" (the version of the QEMU that boots the rows). */
function qemuRelease(): string {
  return `QEMU ${/version (\S+)/.exec(qemuVersion("qemu-system-x86_64"))?.[1] ?? "of unknown version"}`;
}

export async function benchPeers(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    runs: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
    markdown: { type: "boolean", default: false },
    mem: { type: "string", default: "128M" },
    "no-memory": { type: "boolean", default: false },
    peer: { type: "string", multiple: true, default: [] },
    expect: { type: "string", multiple: true, default: [] },
  }, HELP);
  if (values === null) return 0;
  if (values.json && values.markdown) throw new UsageError("--json and --markdown each print the whole report: pick one");
  const runs = wholeNumber(values.runs, "runs", 1, 1000);
  const memoryKib = parseMemorySize(values.mem);
  const specs = commandPeerSpecs(values.peer, values.expect, BUILT_IN_ROWS);
  const log = (line: string) => process.stderr.write(line + "\n");

  const arch = "x86_64";
  const common = { arch, accel: "tcg", machine: defaultMachine(arch) } as const;
  const kernel = (await buildKernel({ arch, log })).elf;
  const hello = await writeModuleImage(["hello-c"], arch);
  const peers: Peer[] = [
    emptyPeer(common, await buildEmptyKernel(arch), memoryKib),
    wispPeer(common, kernel, memoryKib),
    helloPeer(common, kernel, hello.path, memoryKib),
    linuxPeer(await buildLinuxImage(log), memoryKib),
    ...specs.map(commandPeer),
  ];

  const wallMs = await interleavedWallTimes(peers, runs, log);
  const reference = summarize(wallMs.get("empty")!).median;
  const rows: PeerRow[] = [];
  for (const peer of peers) {
    const wall = summarize(wallMs.get(peer.name)!);
    rows.push({
      name: peer.name,
      what: peer.what,
      command: peer.commandLine,
      files: peer.files.map((path) => ({ path, bytes: statSync(path).size })),
      imageBytes: imageBytes(peer),
      wallMs: wall,
      ratio: wall.median / reference,
      memory: await memoryOf(peer, values["no-memory"], log),
    });
  }
  const result: PeersResult = {
    benchmark: "peers",
    invocation: `wisp bench peers ${shellQuote(argv)}`.trim(),
    qemu: qemuRelease(),
    accel: common.accel,
    runs,
    memoryKib,
    rows,
    raw: { wallMs: Object.fromEntries(wallMs) },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else if (values.markdown) console.log(markdownReport(result));
  else console.log(textReport(result));
  return 0;
}

async function memoryOf(peer: Peer, skip: boolean, log: (line: string) => void): Promise<PeerRow["memory"]> {
  if (skip) return { skipped: "--no-memory" };
  if ("skipped" in peer.memory) return peer.memory;
  log(`peers: smallest -m of ${peer.name}`);
  try {
    return await smallestMemory(peer.memory, (kib) => peer.boot(kib));
  } catch (error) {
    throw new Error(`${peer.name}'s smallest -m: ${(error as Error).message}`);
  }
}

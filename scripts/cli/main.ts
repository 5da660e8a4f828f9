// wisp: build, boot and measure Wisp kernels.
//
//   wisp build [--arch A|all] [--debug] [--profile P]
//   wisp run   [--arch A] [--mem SIZE] [--accel auto|kvm|tcg] [--machine microvm|q35]
//              [--cmdline TEXT] [--bootchart] [--timeout SECONDS] [--debug] [--profile P]
//              [--icount] [--print-command]
//   wisp bench boot|mem|sched|storage|app|net|size ...
//   wisp image MANIFEST -o IMAGE | --ls IMAGE | --extract IMAGE DIR
//   wisp modules list | deps MODULE... [--graph]
//   wisp build-app APP.wasm [--arch A] [--jobs N] [--force] [--json]
//   wisp build-module PATH [--arch A|all] [--name NAME] [--force] [--json]
//   wisp zfs ls|cat IMAGE... [PATH] [--pool POOL[/DATASET]]
//
// Each subcommand lives in its own file; this one only dispatches and turns
// errors into one clear line and a non-zero status.

import { buildCommand } from "./build";
import { runCommand } from "./run";
import { benchCommand, BENCHMARKS } from "./bench";
import { imageCommand } from "./image";
import { modulesCommand } from "./modules";
import { buildAppCommand } from "./build-app";
import { buildModuleCommand } from "./build-module";
import { zfsCommand } from "./zfs";
import { UsageError } from "./errors";

const USAGE = `usage: wisp <command> [options]

commands:
  build            build the kernel (both architectures unless --arch is given)
  run              build if needed, then boot the kernel in QEMU
${BENCHMARKS.map(({ name, summary }) => `  ${`bench ${name}`.padEnd(17)}${summary}`).join("\n")}
  image            build, list or extract a ROFS image
  modules          list modules and what they require
  build-app        compile a WASI program (.wasm) into app.so for the kernel
  build-module     compile a filesystem module into NAME.so (docs/modules.md)
  zfs              list or read a ZFS pool image with the kernel's ZFS module
  help             show this text

run 'wisp <command> --help' for a command's options`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "build":
        return await buildCommand(rest);
      case "run":
        return await runCommand(rest);
      case "bench":
        return await benchCommand(rest);
      case "image":
        return await imageCommand(rest);
      case "modules":
        return await modulesCommand(rest);
      case "build-app":
        return await buildAppCommand(rest);
      case "build-module":
        return await buildModuleCommand(rest);
      case "zfs":
        return await zfsCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`wisp: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`wisp: ${(error as Error).message}\n`);
    return 1;
  }
}

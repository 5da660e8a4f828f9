// wisp image: build, list or extract a ROFS image (docs/rofs.md).
//
//   wisp image MANIFEST -o IMAGE [--compress auto|never|always] [--mtime keep|SECONDS]
//   wisp image --ls IMAGE
//   wisp image --extract IMAGE DIR
//
// --ls and --extract read with the kernel's own ROFS reader compiled to wasm,
// so an image the kernel would refuse is refused here with the same message
// (exit 1). A bad invocation exits 2.

import { parseArgs } from "node:util";
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { CompressPolicy, extractImage, listImage, manifestTree, writeImage } from "../image";
import { UsageError } from "./errors";

const HELP = `usage: wisp image MANIFEST -o IMAGE [--compress auto|never|always] [--mtime keep|SECONDS]
       wisp image --ls IMAGE
       wisp image --extract IMAGE DIR

  MANIFEST -o IMAGE  build IMAGE from MANIFEST's lines '/guest/path: host/path'
                     ('/guest/**: host/**' maps a whole tree, '/path: ->target' a symlink,
                     host paths relative to the manifest, # starts a comment)
  --compress P       LZ4 per 64 KiB block: auto (where it saves 1/8 or more; default),
                     never, or always (wherever it is smaller)
  --mtime M          every mtime is 0 unless M is a number of seconds, or 'keep' for the host's
  --ls IMAGE         list mode, size, compression (lz4 and stored bytes, or -) and path
  --extract IMAGE DIR  write the image's tree into DIR (new or empty)`;

function modeString(type: string, mode: number): string {
  const letter = type === "directory" ? "d" : type === "symlink" ? "l" : "-";
  const bits = "rwxrwxrwx".split("").map((char, index) => (mode & (0o400 >> index) ? char : "-")).join("");
  return letter + bits;
}

export async function imageCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: "string", short: "o" },
        compress: { type: "string", default: "auto" },
        mtime: { type: "string", default: "0" },
        ls: { type: "boolean", default: false },
        extract: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.ls && !values.extract && positionals.length === 1 && values.output === undefined) {
    const lines: string[] = [];
    for (const entry of await listImage(new Uint8Array(readFileSync(positionals[0])))) {
      const size = entry.type === "directory" ? "-" : String(entry.size);
      const stored = entry.compressed ? `lz4 ${entry.storedBytes}` : "-";
      const path = entry.type === "symlink" ? `${entry.path} -> ${entry.target}` : entry.path;
      lines.push(`${modeString(entry.type, entry.mode)} ${size.padStart(10)} ${stored.padEnd(14)} ${path}\n`);
    }
    // A reader that stops early (| head) is not an error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
    process.stdout.write(lines.join(""));
    return 0;
  }
  if (values.extract && !values.ls && positionals.length === 2 && values.output === undefined) {
    const count = await extractImage(new Uint8Array(readFileSync(positionals[0])), positionals[1]);
    process.stderr.write(`wisp: extracted ${count} entries into ${positionals[1]}\n`);
    return 0;
  }
  if (!values.ls && !values.extract && positionals.length === 1 && values.output !== undefined) {
    const compress = values.compress as CompressPolicy;
    if (!["auto", "never", "always"].includes(compress)) throw new UsageError(`--compress must be auto, never or always\n\n${HELP}`);
    const mtime = values.mtime === "keep" ? "keep" : Number(values.mtime);
    if (mtime !== "keep" && !(Number.isInteger(mtime) && mtime >= 0 && mtime <= 0xffff_ffff)) {
      throw new UsageError(`--mtime must be 'keep' or whole seconds from 0 to 4294967295\n\n${HELP}`);
    }
    const tree = manifestTree(positionals[0], { mtime });
    const { image, stats } = writeImage(tree, { compress });
    const temporary = `${values.output}.${process.pid}.tmp`;
    writeFileSync(temporary, image);
    renameSync(temporary, values.output);
    process.stderr.write(
      `wisp: ${values.output}: ${stats.bytes} bytes, ${stats.files} files, ${stats.directories} directories, ${stats.symlinks} symlinks; ` +
        `file data ${stats.fileBytes} -> ${stats.storedBytes} bytes (${stats.compressedFiles} of ${stats.files} files compressed), metadata ${stats.metadataBytes} bytes\n`,
    );
    return 0;
  }
  throw new UsageError(HELP);
}

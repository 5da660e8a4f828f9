// The run manifest: which app module an image runs, and how.
//
// `wisp run app.wasm` and app modules write it to /etc/app in the image.
// It is text, one setting per line, the value after the first space:
//
//   module /app.so                    the app module (required, exactly once)
//   arg hello                         argv, in order (argv[0] first)
//   env HOME=/                        the environment, in order
//   dir /data /data                   preopen: what the app sees, the kernel path
//   dir / /.wisp/mnt/0 /.wisp/dirs/0  ... a third field: mount a RAMFS at the
//                                     kernel path, filled from that directory
//   listen 8080                       a TCP socket listening on that port,
//                                     preopened before the directories
//
// In a value, "\n" stands for a newline, "\s" for a space (inside dir
// fields) and "\\" for a backslash. Unknown keys are errors: a manifest
// from a newer `wisp` must not half-run.

import { Preopen } from "./wasi/setup";
import { fail } from "../kernel/failure";
import { EINVAL } from "../kernel/errno";
import { bytesAre } from "../kernel/boot/cstring";

export class AppManifest {
  module: string = "";
  args: string[] = [];
  env: string[] = [];
  preopens: Preopen[] = [];
  /** For each preopen, the directory to copy into a RAMFS at its kernel path, or "". */
  overlaySources: string[] = [];
  /** TCP ports to preopen listening sockets on, in order. */
  listens: u32[] = [];
}

/** Parses the manifest's bytes [text, text + length) into `manifest` (fresh); 0, or -EINVAL with what is wrong. */
export function parseManifest(text: usize, length: usize, manifest: AppManifest): i32 {
  let start: usize = 0;
  let lineNumber = 0;
  while (start < length) {
    let end = start;
    while (end < length && load<u8>(text + end) != 0x0a) end++;
    lineNumber++;
    if (end > start) {
      // The key is the bytes before the first space; only the value is decoded (and the key, to name it in a refusal).
      let space = start;
      while (space < end && load<u8>(text + space) != 0x20) space++;
      const value = space < end ? String.UTF8.decodeUnsafe(text + space + 1, end - space - 1) : "";
      const result = parseLine(text + start, space - start, value, lineNumber, manifest);
      if (result < 0) return result;
    }
    start = end + 1;
  }
  if (manifest.module.length == 0) return fail(EINVAL, "the manifest names no module");
  return 0;
}

function parseLine(keyBytes: usize, keyLength: usize, value: string, lineNumber: i32, manifest: AppManifest): i32 {
  if (bytesAre(keyBytes, keyLength, "module")) {
    if (manifest.module.length) return fail(EINVAL, "line " + lineNumber.toString() + ": a second 'module' line (the manifest names one module)");
    manifest.module = unescape(value);
  } else if (bytesAre(keyBytes, keyLength, "arg")) {
    manifest.args.push(unescape(value));
  } else if (bytesAre(keyBytes, keyLength, "env")) {
    manifest.env.push(unescape(value));
  } else if (bytesAre(keyBytes, keyLength, "dir")) {
    const fields = value.split(" ");
    if (fields.length < 2 || fields.length > 3) {
      return fail(EINVAL, "line " + lineNumber.toString() + ": 'dir' needs a guest path and a kernel path");
    }
    const preopen = new Preopen();
    preopen.guestPath = unescape(fields[0]);
    preopen.kernelPath = unescape(fields[1]);
    manifest.preopens.push(preopen);
    manifest.overlaySources.push(fields.length == 3 ? unescape(fields[2]) : "");
  } else if (bytesAre(keyBytes, keyLength, "listen")) {
    const port = parsePort(value);
    if (port == 0) return fail(EINVAL, "line " + lineNumber.toString() + ": 'listen' needs a TCP port, 1 to 65535, not '" + value + "'");
    manifest.listens.push(port);
  } else {
    return fail(EINVAL, "line " + lineNumber.toString() + ": unknown setting '" + String.UTF8.decodeUnsafe(keyBytes, keyLength) + "'");
  }
  return 0;
}

/**
 * Adds the ports of `list` ("80" or "80,8080": the kernel option listen=,
 * which wisp run --listen sets) to the manifest's listening sockets, each
 * once; 0 or -EINVAL with what is wrong.
 */
export function addListenPorts(manifest: AppManifest, list: string): i32 {
  const ports = list.split(",");
  for (let i = 0; i < ports.length; i++) {
    const port = parsePort(ports[i]);
    if (port == 0) return fail(EINVAL, "listen=" + list + ": '" + ports[i] + "' is not a TCP port (1 to 65535)");
    if (!manifest.listens.includes(port)) manifest.listens.push(port);
  }
  return 0;
}

/** A port number 1..65535 in decimal, or 0. */
function parsePort(text: string): u32 {
  if (text.length == 0 || text.length > 5) return 0;
  let port: u32 = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = <u32>text.charCodeAt(i) - 0x30;
    if (digit > 9) return 0;
    port = port * 10 + digit;
  }
  return port <= 65535 ? port : 0;
}

/** Whether `value` holds a backslash (a plain loop: String#indexOf compares at every position). */
function hasBackslash(value: string): bool {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) == 0x5c) return true;
  return false;
}

function unescape(value: string): string {
  if (!hasBackslash(value)) return value;
  let result = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c == "\\" && i + 1 < value.length) {
      const next = value.charAt(++i);
      result += next == "n" ? "\n" : next == "s" ? " " : next;
    } else {
      result += c;
    }
  }
  return result;
}

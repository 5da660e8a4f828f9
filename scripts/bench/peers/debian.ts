// Debian packages for the peers, fetched and unpacked without installing
// anything on the host: `apt-get download` puts the .deb files in
// build/peers/debs/ (from the mirrors in the host's apt sources, so the
// package lists must be there: `apt-get update`), `dpkg-deb -x` unpacks them
// into build/peers/root/. A .deb already in debs/ is not fetched again.

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The metapackage that follows Debian's current cloud kernel. */
export const CLOUD_KERNEL_METAPACKAGE = "linux-image-cloud-amd64";

const LISTS_HINT = "\n(apt reads the host's package lists: 'apt-get update' fetches them; a download also needs the mirrors)";

/** Runs an apt or dpkg program; failures name the program and carry its own message, then `hint`. */
async function debianTool(program: string, args: string[], cwd: string, hint = ""): Promise<string> {
  try {
    return (await run(program, args, { cwd, maxBuffer: 16 << 20 })).stdout;
  } catch (error) {
    const failure = error as { code?: string | number; stderr?: string; message: string };
    if (failure.code === "ENOENT") {
      throw new Error(`${program} is not available: wisp bench peers builds its Linux peer from Debian packages and needs a Debian or Ubuntu host`);
    }
    throw new Error(`${program} ${args.join(" ")} failed:\n${(failure.stderr || failure.message).trim()}${hint}`);
  }
}

/**
 * The real kernel package a kernel metapackage depends on, from `apt-cache
 * depends` output ("  Depends: linux-image-6.1.0-57-cloud-amd64").
 */
export function kernelPackageFrom(depends: string, metapackage: string): string {
  const flavour = metapackage.replace(/^linux-image-/, "");
  const pattern = new RegExp(`^\\s*\\|?Depends:\\s*(linux-image-\\d\\S*-${flavour})\\s*$`);
  for (const line of depends.split("\n")) {
    const match = pattern.exec(line);
    if (match) return match[1];
  }
  throw new Error(`${metapackage} depends on no linux-image-<version>-${flavour} package; apt-cache says:\n${depends.trim() || "(nothing)"}`);
}

/** The real package behind Debian's cloud kernel metapackage. */
export async function resolveCloudKernel(cwd: string): Promise<string> {
  mkdirSync(cwd, { recursive: true });
  const depends = await debianTool("apt-cache", ["depends", CLOUD_KERNEL_METAPACKAGE], cwd, LISTS_HINT);
  return kernelPackageFrom(depends, CLOUD_KERNEL_METAPACKAGE);
}

function debIn(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir).find((file) => file.startsWith(`${name}_`) && file.endsWith(".deb"));
  return found === undefined ? undefined : join(dir, found);
}

/** The .deb of `name` in `debs`, downloaded when it is not there yet. */
export async function downloadDeb(debs: string, name: string, log: (line: string) => void): Promise<string> {
  mkdirSync(debs, { recursive: true });
  const cached = debIn(debs, name);
  if (cached) return cached;
  log(`peers: apt-get download ${name}`);
  await debianTool("apt-get", ["download", name], debs, LISTS_HINT);
  const deb = debIn(debs, name);
  if (!deb) throw new Error(`apt-get download ${name} succeeded but left no ${name}_*.deb in ${debs}`);
  return deb;
}

/** Unpacks a .deb's files (not its scripts) under `root`. */
export async function unpackDeb(deb: string, root: string): Promise<void> {
  mkdirSync(root, { recursive: true });
  await debianTool("dpkg-deb", ["-x", deb, root], root);
}

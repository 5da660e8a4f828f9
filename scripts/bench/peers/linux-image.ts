// The Linux microVM peer's two files, built from Debian packages only:
//
//   build/peers/vmlinux         Debian's cloud kernel (linux-image-cloud-amd64
//                               names the version), taken out of its bzImage
//                               (bzimage.ts) and checked for a PVH note
//                               (pvh-note.ts), so QEMU's microvm boots it as
//                               it boots Wisp: qboot, -kernel ELF, PVH entry
//   build/peers/initramfs.cpio  busybox-static and an /init that prints
//                               LINUX_UP_LINE and resets the machine
//   build/peers/linux.json      which packages they came from
//
// When all three exist nothing is downloaded or rebuilt (delete build/peers/
// to follow a newer kernel).

import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../build/files";
import { writeCpio } from "./cpio";
import { extractVmlinux } from "./bzimage";
import { pvhEntry } from "./pvh-note";
import { downloadDeb, resolveCloudKernel, unpackDeb } from "./debian";

export const PEERS_DIR = join(ROOT, "build", "peers");
export const LINUX_UP_LINE = "peer linux: up";
const BUSYBOX_PACKAGE = "busybox-static";

export interface LinuxImage {
  vmlinux: string;
  initramfs: string;
  /** The Debian packages the files came from (.deb file names: name, version, arch). */
  packages: string[];
}

/*
 * The guest's whole userland. poweroff would only halt: without ACPI (microvm
 * runs with acpi=off) Linux has no way to power off. A reboot instead resets
 * the machine (reboot=t on the command line: by triple fault), and QEMU's
 * -no-reboot turns the reset into QEMU's exit, status 0.
 */
const INIT_SCRIPT = `#!/bin/sh
echo "${LINUX_UP_LINE}"
/bin/busybox reboot -f
`;

/** The initramfs: busybox as /bin/busybox and /bin/sh, a console node and /init. */
export function initramfs(busybox: Uint8Array): Uint8Array {
  return writeCpio([
    { kind: "dir", path: "bin" },
    { kind: "file", path: "bin/busybox", data: busybox, mode: 0o755 },
    { kind: "symlink", path: "bin/sh", target: "busybox" },
    { kind: "dir", path: "dev" },
    { kind: "char", path: "dev/console", major: 5, minor: 1 },
    { kind: "file", path: "init", data: Buffer.from(INIT_SCRIPT), mode: 0o755 },
  ]);
}

function writeAtomically(path: string, data: Uint8Array): void {
  writeFileSync(`${path}.partial`, data);
  renameSync(`${path}.partial`, path);
}

/** The ELF kernel inside a bzImage file; errors name the file. */
function vmlinuxWithPvhEntry(bzImage: string): Uint8Array {
  try {
    const vmlinux = extractVmlinux(new Uint8Array(readFileSync(bzImage)));
    pvhEntry(vmlinux);
    return vmlinux;
  } catch (error) {
    throw new Error(`${bzImage}: ${(error as Error).message}`);
  }
}

/** Builds (or finds, when built before) the Linux peer's kernel and initramfs. */
export async function buildLinuxImage(log: (line: string) => void): Promise<LinuxImage> {
  const image = { vmlinux: join(PEERS_DIR, "vmlinux"), initramfs: join(PEERS_DIR, "initramfs.cpio") };
  const manifest = join(PEERS_DIR, "linux.json");
  if (existsSync(image.vmlinux) && existsSync(image.initramfs) && existsSync(manifest)) {
    return { ...image, packages: JSON.parse(readFileSync(manifest, "utf8")).packages };
  }
  const debs = join(PEERS_DIR, "debs");
  const root = join(PEERS_DIR, "root");
  const kernelPackage = await resolveCloudKernel(PEERS_DIR);
  const kernelDeb = await downloadDeb(debs, kernelPackage, log);
  const busyboxDeb = await downloadDeb(debs, BUSYBOX_PACKAGE, log);
  log("peers: unpacking with dpkg-deb -x");
  await unpackDeb(kernelDeb, root);
  await unpackDeb(busyboxDeb, root);

  const version = kernelPackage.replace(/^linux-image-/, "");
  const bzImage = join(root, "boot", `vmlinuz-${version}`);
  if (!existsSync(bzImage)) {
    const boot = existsSync(join(root, "boot")) ? readdirSync(join(root, "boot")).join(", ") : "nothing";
    throw new Error(`${kernelPackage} has no /boot/vmlinuz-${version} (its /boot holds ${boot || "nothing"})`);
  }
  log(`peers: extracting vmlinux from ${bzImage}`);
  const vmlinux = vmlinuxWithPvhEntry(bzImage);
  const busybox = join(root, "bin", "busybox");
  if (!existsSync(busybox)) throw new Error(`${BUSYBOX_PACKAGE} has no /bin/busybox`);
  writeAtomically(image.vmlinux, vmlinux);
  writeAtomically(image.initramfs, initramfs(new Uint8Array(readFileSync(busybox))));
  const packages = [kernelDeb, busyboxDeb].map((deb) => deb.slice(debs.length + 1));
  writeFileSync(manifest, JSON.stringify({ packages }, null, 2) + "\n");
  return { ...image, packages };
}

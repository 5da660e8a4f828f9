// Choosing the accelerator: KVM only when it is backed by hardware.
//
// On machines whose /dev/kvm comes from the kvm_pvm module (a software PVM,
// as on our CI hosts), guest ring-0 code runs about 100x slower than under
// TCG and some instructions fail, so `auto` treats PVM as no KVM at all.

import { accessSync, constants, existsSync } from "node:fs";
import { arch as hostArch } from "node:os";
import type { Arch } from "../build/targets";
import { UsageError } from "../cli/errors";

export type Accel = "kvm" | "tcg";

export interface AccelChoice {
  accel: Accel;
  reason: string;
}

function hostMatches(arch: Arch): boolean {
  return (arch === "x86_64" && hostArch() === "x64") || (arch === "aarch64" && hostArch() === "arm64");
}

export function detectKvm(arch: Arch, sys = "/sys/module", dev = "/dev/kvm"): AccelChoice {
  if (!hostMatches(arch)) return { accel: "tcg", reason: `KVM cannot run ${arch} guests on this ${hostArch()} host` };
  if (!existsSync(dev)) return { accel: "tcg", reason: "no /dev/kvm" };
  try {
    accessSync(dev, constants.R_OK | constants.W_OK);
  } catch {
    return { accel: "tcg", reason: "/dev/kvm is not accessible to this user" };
  }
  if (existsSync(`${sys}/kvm_pvm`)) return { accel: "tcg", reason: "/dev/kvm is the software PVM (kvm_pvm), slower than TCG" };
  if (existsSync(`${sys}/kvm_intel`) || existsSync(`${sys}/kvm_amd`) || arch === "aarch64") {
    return { accel: "kvm", reason: "hardware-backed /dev/kvm" };
  }
  return { accel: "tcg", reason: "/dev/kvm is not backed by kvm_intel or kvm_amd" };
}

/** The accelerator `requested` (auto, kvm or tcg) comes to; anything else is a bad invocation (UsageError). */
export function chooseAccel(requested: string, arch: Arch): AccelChoice {
  if (requested === "tcg") return { accel: "tcg", reason: "requested" };
  if (requested === "kvm") return { accel: "kvm", reason: "requested" };
  if (requested === "auto") return detectKvm(arch);
  throw new UsageError(`unknown accelerator '${requested}' (expected auto, kvm or tcg)`);
}

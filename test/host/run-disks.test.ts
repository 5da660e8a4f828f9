// Guards `wisp run --disk` (scripts/run/qemu.ts): how a disk option becomes
// QEMU arguments on each machine. virtio-mmio must be asked for in its
// modern form (QEMU defaults to legacy, which the kernel refuses), microvm
// must run without ACPI (or QEMU does not name its devices on the kernel
// command line), q35 gets a modern-only virtio-pci device, and commas in a
// file name are escaped the way QEMU's option parser wants.

import { describe, expect, it } from "vitest";
import { diskArguments, parseDisk, qemuCommand } from "../../scripts/run/qemu";

const base = { kernel: "k.elf", memory: "64M", accel: "tcg" as const, cmdline: "" };

describe("wisp run --disk", () => {
  it("parses FILE and FILE,ro", () => {
    expect(parseDisk("a.img")).toEqual({ file: "a.img", readOnly: false });
    expect(parseDisk("a.img,ro")).toEqual({ file: "a.img", readOnly: true });
    expect(parseDisk("blkdebug:r.conf:a.img")).toEqual({ file: "blkdebug:r.conf:a.img", readOnly: false });
    expect(() => parseDisk(",ro")).toThrow(/needs a file name/);
  });

  it("attaches modern virtio-mmio disks on microvm, with ACPI off, in order", () => {
    const command = qemuCommand({ ...base, arch: "x86_64", machine: "microvm", disks: [parseDisk("a.img,ro"), parseDisk("b.img")] });
    expect(command).toContain("microvm,acpi=off");
    const joined = command.join(" ");
    expect(joined).toContain("-global virtio-mmio.force-legacy=false");
    expect(joined).toContain("-drive if=none,id=disk0,format=raw,file=a.img,readonly=on -device virtio-blk-device,drive=disk0");
    expect(joined).toContain("-drive if=none,id=disk1,format=raw,file=b.img -device virtio-blk-device,drive=disk1");
  });

  it("leaves microvm alone without disks", () => {
    const command = qemuCommand({ ...base, arch: "x86_64", machine: "microvm" });
    expect(command).toContain("microvm");
    expect(command.join(" ")).not.toContain("virtio");
  });

  it("attaches modern-only virtio-pci disks on q35 and virtio-mmio on aarch64 virt", () => {
    expect(diskArguments("q35", [parseDisk("a.img")]).join(" ")).toBe(
      "-drive if=none,id=disk0,format=raw,file=a.img -device virtio-blk-pci,drive=disk0,disable-legacy=on,disable-modern=off");
    const virt = qemuCommand({ ...base, arch: "aarch64", machine: "virt", disks: [parseDisk("a.img")] }).join(" ");
    expect(virt).toContain("-global virtio-mmio.force-legacy=false");
    expect(virt).toContain("-device virtio-blk-device,drive=disk0");
  });

  it("escapes commas in file names", () => {
    expect(diskArguments("q35", [parseDisk("my,disk.img,ro")])[1]).toBe("if=none,id=disk0,format=raw,file=my,,disk.img,readonly=on");
  });
});

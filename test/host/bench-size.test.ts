// Guards `wisp bench size`'s reading (scripts/bench/size): ld.lld's link
// map is read into output sections and their input sections, exactly;
// wasm2c's escaped names are undone and put down to AssemblyScript source
// files (generics, function types, the standard library); exported
// functions are traced through the wasm's export and name sections; and
// every byte of a section lands in exactly one row, alignment included, so
// the rows sum to the section.

import { describe, expect, it } from "vitest";
import { readLinkMap } from "../../scripts/bench/size/link-map";
import {
  kernelParts, demangle, sourceFileOf, ALIGNMENT, STATIC_DATA, MERGED, OUTLINED, WASM2C_GLUE,
} from "../../scripts/bench/size/kernel-parts";
import type { WasmModuleInfo } from "../../scripts/app/wasm-module";

const MAP = `             VMA              LMA     Size Align Out     In      Symbol
               0                0   111000     1 . = IMAGE_BASE
          111000                0        0     1 __image_start = .
          111000           111000      100    16 .text
          111000           111000       10     1         /b/obj/boot.S.o:(.text.boot)
          111000           111000        0     1                 pvh_start
          111010           111010       30     1         /b/obj/kernel.o:(.text.w2c_kernel_kernel0x2Fnet0x2Ftcp0x2FtcpInput)
          111010           111010       30     1                 w2c_kernel_kernel0x2Fnet0x2Ftcp0x2FtcpInput
          111040           111040       20     1         /b/obj/kernel.o:(.text.w2c_kernel_kmain_0)
          111060           111060        8     1         /b/obj/kernel.o:(.text.w2c_kernel_kmain)
          111070           111070       10     1         /b/obj/kernel.o:(.text.OUTLINED_FUNCTION_3)
          111080           111080       40     1         /b/obj/libc.o:(.text.memcpy)
          1110c0           1110c0       20     1         /b/obj/kernel.o:(.text.wasm2c_kernel_instantiate)
          111100           111100      f00     1 . = ALIGN ( 4096 )
          112000           112000       60    16 .rodata
          112000           112000       40     1         /b/obj/kernel.o:(.rodata.data_segment_data_w2c_kernel_d0)
          112040           112040       18     1         <internal>:(.rodata)
          112058           112058        8     1         /b/obj/kernel.o:(.rodata..Lswitch.table.w2c_kernel_kernel0x2Fnet0x2Ftcp0x2FtcpInput.7)
          113000           113000     1000  4096 .bss
          113000           113000     1000     1         /b/obj/kernel-instance.o:(.uninit.table_pool)
`;

const MODULE: WasmModuleInfo = {
  types: [], functionTypes: [], imports: [], memories: [], codeBytes: 0,
  exports: [{ name: "kmain", kind: "func", index: 4 }],
  functionNames: new Map([[4, "kernel/init/x86_64/kmain"]]),
};

describe("wisp bench size: reading a link map", () => {
  it("reads output sections and input sections, leaving out assignments and symbols", () => {
    const outputs = readLinkMap(MAP);
    expect(outputs.map((o) => [o.name, o.address, o.size, o.inputs.length])).toEqual([
      [".text", 0x111000, 0x100, 7], [".rodata", 0x112000, 0x60, 3], [".bss", 0x113000, 0x1000, 1],
    ]);
    expect(outputs[0].inputs[1]).toEqual({ object: "/b/obj/kernel.o", section: ".text.w2c_kernel_kernel0x2Fnet0x2Ftcp0x2FtcpInput", address: 0x111010, size: 0x30 });
    expect(outputs[1].inputs[1].object).toBe("<internal>");
  });

  it("undoes wasm2c's escapes and finds the source file of a name", () => {
    expect(demangle("kernel0x2Fnet0x2Ftcp0x2FtcpInput")).toBe("kernel/net/tcp/tcpInput");
    expect(demangle("0x5F_new_0")).toBe("__new_0");
    expect(sourceFileOf("kernel/net/tcp-input/tcpInput")).toBe("kernel/net/tcp-input.ts");
    expect(sourceFileOf("fs/rofs/vnode/RofsVnode#blockBytes")).toBe("fs/rofs/vnode.ts");
    expect(sourceFileOf("~lib/array/Array<kernel/net/tcp/Connection>#push")).toBe("~lib/array.ts");
    expect(sourceFileOf("kernel/registry/NamedRegistry<%28~lib/string/String%2Cbool%29=>fs/vfs/FileSystem>#get")).toBe("kernel/registry.ts");
    expect(sourceFileOf("kmain")).toBeNull();
  });

  it("puts every byte of every section in one row, the rows summing to the section", () => {
    const outputs = readLinkMap(MAP);
    const parts = kernelParts(outputs, "x86_64", MODULE);
    for (const output of outputs) {
      expect(parts.filter((p) => p.section === output.name).reduce((sum, p) => sum + p.bytes, 0), output.name).toBe(output.size);
    }
    const text = parts.filter((p) => p.section === ".text").map((p) => [p.file, p.symbol, p.bytes]);
    expect(text).toEqual([
      ["arch/x86_64/boot.S", "boot", 0x10],
      ["kernel/net/tcp.ts", "kernel/net/tcp/tcpInput", 0x30],
      ["kernel/init/x86_64.ts", "kernel/init/x86_64/kmain", 0x20], // kmain_0: the export's body
      ["kernel/init/x86_64.ts", "kernel/init/x86_64/kmain", 0x8], // kmain: the export's wrapper
      [ALIGNMENT, null, 0x8],
      [OUTLINED, null, 0x10],
      ["arch/common/libc.c", "memcpy", 0x40],
      [WASM2C_GLUE, null, 0x20],
      [ALIGNMENT, null, 0x20],
    ]);
    const rodata = parts.filter((p) => p.section === ".rodata").map((p) => [p.file, p.bytes]);
    expect(rodata).toEqual([[STATIC_DATA, 0x40], [MERGED, 0x18], ["kernel/net/tcp.ts", 0x8]]);
    expect(parts.filter((p) => p.section === ".bss").map((p) => [p.file, p.folder, p.bytes])).toEqual([["arch/common/kernel-instance.c", "arch/common", 0x1000]]);
  });
});

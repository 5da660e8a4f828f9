// Guards the host tests' fake machine (test/host/fake-arch.ts) against drift
// from the arch contract: it must implement exactly the imports arch/index.ts
// declares, satisfy every import of the compiled kernel and harness, and its
// devices must behave as the kernel's drivers expect real ones to.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, wasmModule, kernelTarget } from "./compile";
import { FakeArch, PIT_HZ, PowerOff, Stuck } from "./fake-arch";

function declaredArchImports(): string[] {
  const source = readFileSync(join(REPO_ROOT, "arch/index.ts"), "utf8");
  return [...source.matchAll(/@external\("arch",\s*"(\w+)"\)/g)].map((match) => match[1]).sort();
}

const memory = () => new WebAssembly.Memory({ initial: 1, maximum: 1 });
await Promise.all([wasmModule(kernelTarget("x86_64")), wasmModule(kernelTarget("aarch64")), wasmModule("harness")]); // compile outside any test's time limit

describe("the fake machine", () => {
  it("implements exactly the imports arch/index.ts declares", () => {
    const declared = declaredArchImports();
    expect(declared.length).toBeGreaterThan(10);
    expect(Object.keys(new FakeArch(memory()).imports).sort()).toEqual(declared);
  });

  it("satisfies every import of the kernel and of the harness", async () => {
    const provided = new Set(Object.keys(new FakeArch(memory()).imports));
    for (const target of [kernelTarget("x86_64"), kernelTarget("aarch64"), "harness"]) {
      for (const entry of WebAssembly.Module.imports(await wasmModule(target))) {
        if (entry.module === "env") expect(entry.name, `${target} env import`).toBe("memory");
        else if (entry.module === "ninep") expect(`${target} ${entry.name}`).toBe("harness transact"); // the harness's 9p channel only
        else if (entry.module === "net") expect(`${target} ${entry.name}`).toBe("harness transmit"); // the harness's network devices only
        else expect(entry.module === "arch" && provided.has(entry.name), `${target} imports ${entry.module}.${entry.name}`).toBe(true);
      }
    }
  });

  it("collects 16550 bytes only outside the divisor latch", () => {
    const fake = new FakeArch(memory());
    const out = fake.imports.portOut8 as (port: number, value: number) => void;
    const inb = fake.imports.portIn8 as (port: number) => number;
    out(0x3fb, 0x80);
    out(0x3f8, 0x01);
    out(0x3f9, 0x00);
    out(0x3fb, 0x03);
    out(0x3f8, 0x41);
    expect(fake.serialDivisor()).toBe(1);
    expect(fake.serialBytes).toEqual([0x41]);
    expect(inb(0x3fd) & 0x20).toBe(0x20);
    expect(fake.unexpected).toEqual([]);
    inb(0x2f8);
    expect(fake.unexpected).toEqual(["portIn8(0x2f8)"]);
  });

  it("counts the PIT down at 1.193182 MHz of the counter's rate", () => {
    const fake = new FakeArch(memory(), { counterRate: 1_193_182_000n, ioStep: 0n });
    const out = fake.imports.portOut8 as (port: number, value: number) => void;
    const inb = fake.imports.portIn8 as (port: number) => number;
    const read = () => {
      out(0x43, 0x00);
      const low = inb(0x40);
      return (inb(0x40) << 8) | low;
    };
    out(0x43, 0x34);
    out(0x40, 0xff);
    out(0x40, 0xff);
    expect(read()).toBe(0xffff);
    fake.clock += 1000n * 600n; // 600 PIT ticks at 1000 counter ticks each
    expect(read()).toBe(0xffff - 600);
    expect(fake.unexpected).toEqual([]);
    expect(PIT_HZ).toBe(1_193_182n);
  });

  it("advances the counter by a fixed step per reading and stops a spinning kernel", () => {
    const fake = new FakeArch(memory(), { clockStart: 100n, timestampStep: 7n, timestampBudget: 3 });
    const timestamp = fake.imports.timestamp as () => bigint;
    expect([timestamp(), timestamp(), timestamp()]).toEqual([107n, 114n, 121n]);
    expect(() => timestamp()).toThrow(Stuck);
  });

  it("writes configured CPUID leaves into memory and zeros for the rest", () => {
    const mem = memory();
    const fake = new FakeArch(mem, { cpuid: { 0x16: [3000, 3400, 100, 0] } });
    const cpuid = fake.imports.cpuid as (leaf: number, subleaf: number, out: number) => void;
    const view = new DataView(mem.buffer);
    cpuid(0x16, 0, 64);
    expect([0, 4, 8, 12].map((offset) => view.getUint32(64 + offset, true))).toEqual([3000, 3400, 100, 0]);
    cpuid(0x15, 0, 64);
    expect([0, 4, 8, 12].map((offset) => view.getUint32(64 + offset, true))).toEqual([0, 0, 0, 0]);
  });

  it("collects PL011 bytes and reports other MMIO", () => {
    const fake = new FakeArch(memory(), { pl011Base: 0x1000 });
    (fake.imports.mmioWrite32 as (address: number, value: number) => void)(0x1000, 0x5a);
    expect((fake.imports.mmioRead32 as (address: number) => number)(0x1018)).toBe(0);
    (fake.imports.mmioWrite8 as (address: number, value: number) => void)(0x1000, 0x5a);
    expect(fake.pl011Bytes).toEqual([0x5a]);
    expect(fake.unexpected).toEqual(["mmioWrite8(0x1000, 0x5a)"]);
  });

  it("powers off by throwing PowerOff with the status", () => {
    const fake = new FakeArch(memory());
    expect(() => (fake.imports.powerOff as (status: number) => void)(42)).toThrow(PowerOff);
    expect(fake.powerOffStatus).toBe(42);
  });
});

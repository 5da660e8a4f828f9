// Boot tier: an app serving HTTP over Wisp's network stack, reached from the
// host through `wisp run --listen` (QEMU's user network, hostfwd on
// 127.0.0.1), on x86_64 microvm, x86_64 q35 and aarch64 virt.
//
// The server is modules/http-static's C program (wasi-libc's accept, recv,
// send and poll on the listening socket the kernel preopens at fd 3). Each
// machine boots it once with a document root holding a 32 MiB file, then:
// files fetched byte for byte (the module's index.html and the 32 MiB file),
// 50 concurrent keep-alive connections with two rounds of requests, a
// client that resets in the middle of a transfer (the server goes on), and a
// request that asks the server to exit with a status, which becomes wisp's
// own.
//
// Last, `wisp bench net` in a short run: every row present, each loop's and
// transfer's exact count, and instruction counts from the -icount boots.
//
// (Pinging the guest from the host is not tested: QEMU's user network does
// not forward ICMP to the guest.)

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOT_TARGETS, wisp } from "./wisp-cli";
import { httpGet, openConnections, type HttpResult } from "../../scripts/bench/net/http-client";
import { freePort } from "../../scripts/bench/net/servers";

const ROOT = new URL("../..", import.meta.url).pathname;
const MODULE = join(ROOT, "modules/http-static");
const BIG_BYTES = 32 << 20;
let work = "";
let server = "";
let www = "";
let big: Buffer;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "wisp-http-"));
  server = join(work, "http-static.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", join(MODULE, "http-static.c"), "-o", server]);
  www = join(work, "www");
  mkdirSync(www);
  copyFileSync(join(MODULE, "www/index.html"), join(www, "index.html"));
  big = Buffer.alloc(BIG_BYTES);
  for (let i = 0; i < BIG_BYTES; i += 4) big.writeUInt32LE(((Math.imul(i, 2654435761) >>> 0) ^ i) >>> 0, i);
  writeFileSync(join(www, "big.bin"), big);
});

function get(port: number, path: string): Promise<HttpResult> {
  return httpGet(port, path).response;
}

/** Retries GET / until the guest answers (the host forward accepts before the app listens). */
async function waitForServer(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wisp exited with ${child.exitCode} before serving:\n${output()}`);
    try {
      const response = await get(port, "/");
      if (response.status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no answer on port ${port} within 180 s:\n${output()}`);
}

describe.each(BOOT_TARGETS)("HTTP over virtio-net on $arch $machine", ({ arch, machine }) => {
  let child: ChildProcess;
  let port = 0;
  let output = "";
  let exited: Promise<number>;

  beforeAll(async () => {
    port = await freePort();
    child = spawn(process.execPath, [
      "scripts/wisp.mjs", "run", "--arch", arch, "--machine", machine, "--mem", "160M", "--timeout", "600",
      "--listen", String(port), server, "--dir", `${www}:/www:image`, "--", "--root", "/www",
    ], { cwd: ROOT });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    exited = new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    await waitForServer(port, child, () => output);
  }, 240_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill();
  });

  it("serves files byte for byte, a 32 MiB one included", async () => {
    const index = await get(port, "/");
    expect(index.status).toBe(200);
    expect(index.body.equals(readFileSync(join(www, "index.html")))).toBe(true);
    const file = await get(port, "/big.bin");
    expect(file.status).toBe(200);
    expect(file.body.length).toBe(BIG_BYTES);
    expect(file.body.equals(big)).toBe(true);
    expect((await get(port, "/missing")).status).toBe(404);
  }, 300_000);

  // The connections are opened one after another (QEMU's user network accepts
  // forwarded connections with a backlog of one: scripts/bench/net/http-client.ts),
  // then all 50 carry two rounds of requests at once.
  it("keeps 50 concurrent keep-alive connections", async () => {
    const expected = readFileSync(join(www, "index.html"));
    const { connections, first } = await openConnections(port, 50, "/index.html");
    const rounds = [await Promise.all(first)];
    for (let round = 0; round < 2; round++) rounds.push(await Promise.all(connections.map((connection) => connection.get("/index.html"))));
    for (const response of rounds.flat()) {
      expect(response.status).toBe(200);
      expect(response.body.equals(expected)).toBe(true);
    }
    for (const connection of connections) connection.close();
  }, 300_000);

  it("goes on serving after a client resets in the middle of a transfer", async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = new Socket();
      let received = 0;
      socket.connect(port, "127.0.0.1", () => socket.write("GET /big.bin HTTP/1.1\r\nHost: wisp\r\n\r\n"));
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > 1 << 20) {
          socket.resetAndDestroy();
          resolve();
        }
      });
      socket.on("error", reject);
    });
    const after = await get(port, "/index.html");
    expect(after.status).toBe(200);
  }, 300_000);

  it("exits with the status a request asks for", async () => {
    const bye = await get(port, "/__exit?status=3");
    expect(bye.status).toBe(200);
    expect(await exited).toBe(3);
  }, 300_000);
});

describe("wisp bench net", () => {
  it("compares the guest server with the native one: cold start, requests, bulk both ways, instructions", () => {
    const result = wisp("bench", "net", "--json", "--runs", "1", "--requests", "100", "--bulk-mib", "2");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.benchmark).toBe("net");
    for (const side of ["wisp", "native", "emptyKernel"]) expect(report.coldStart[side].median).toBeGreaterThan(0);
    expect(report.requests.map((row: { connections: number }) => row.connections)).toEqual([1, 32]);
    for (const row of report.requests) for (const side of ["wisp", "native"]) expect(row[side].requests).toBe(100);
    for (const direction of ["guestToHost", "hostToGuest"]) {
      for (const side of ["wisp", "native"]) expect(report.bulk[direction][side].bytes).toBe(2 << 20);
    }
    // 2 MiB leave in at least 1,437 full-sized frames (1,460 bytes of payload each) and arrive in as many.
    const raw = report.instructions.raw;
    expect(raw.guestToHost.framesOut - raw.base.framesOut).toBeGreaterThanOrEqual(Math.ceil((2 << 20) / 1460));
    expect(raw.hostToGuest.framesIn - raw.base.framesIn).toBeGreaterThanOrEqual(Math.ceil((2 << 20) / 1460));
    expect(raw.requests.count).toBe(201);
    for (const figure of ["perRequest", "perTransmittedFrame", "perReceivedFrame"]) expect(report.instructions[figure]).toBeGreaterThan(0);
  }, 300_000);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

// Boot tier: an app built for WasmEdge's socket extension (modules/
// net-client, C written against its ABI) reaching servers this test runs on
// the host's 127.0.0.1, through QEMU's user network (the guest sees the
// host's loopback as 10.0.2.2), on x86_64 microvm, x86_64 q35 and aarch64
// virt. One boot per machine runs, in turn:
//
//   resolve      a name this test's DNS responder serves (dns=10.0.2.2:PORT)
//   echo         8 MiB each way through a TCP echo server, checked by hash
//   udp          a datagram to a UDP echo server and its reply, with the
//                sender's address and port
//   get          an HTTP GET by name (resolve, connect, request, response)
//   nonblocking  connect with O_NONBLOCK, poll, SO_ERROR, getpeeraddr
//   refused      a connect where nothing listens: CONNREFUSED (14)
//
// and a second run asks for a name the responder says does not exist:
// AINONAME (84), exit 1, no hang. A third does it all again over IPv6
// (net-client -6): servers on the host's ::1, which the guest reaches as
// fec0::2 once QEMU's router advertisement gave it an address, and an
// AAAA answer from the same responder.

import { execFileSync } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOT_TARGETS, wispAsync } from "./wisp-cli";

const ROOT = new URL("../..", import.meta.url).pathname;
const ECHO_BYTES = 8 << 20;
const ECHO6_BYTES = 1 << 20;
const HOST6 = "fec0::2";
const NAME = "echo.wisp.test";
const BODY = "hello from the host\n";
let work = "";
let client = "";
let echo: Server;
let http: HttpServer;
let udp: UdpSocket;
let dns: UdpSocket;
let echo6: Server;
let http6: HttpServer;
let udp6: UdpSocket;
const ports = { echo: 0, http: 0, udp: 0, dns: 0, closed: 0 };
const ports6 = { echo: 0, http: 0, udp: 0, closed: 0 };

/** net-client's pattern and its FNV-1a hash over `count` bytes, as the app prints it. */
function expectedHash(count: number): string {
  let hash = 2166136261;
  for (let at = 0; at < count; at++) {
    const byte = Number((BigInt(at) * 2654435761n >> 13n) & 0xffn);
    hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

function listening(server: Server | HttpServer, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

function bound(socket: UdpSocket, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve) => socket.bind(0, host, () => resolve(socket.address().port)));
}

/** A UDP server answering each datagram with "echo: " and the datagram. */
function udpEcho(type: "udp4" | "udp6"): UdpSocket {
  const socket = createSocket(type);
  socket.on("message", (message, from) => socket.send(Buffer.concat([Buffer.from("echo: "), message]), from.port, from.address));
  return socket;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "wisp-net-client-"));
  client = join(work, "net-client.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", join(ROOT, "modules/net-client/net-client.c"), "-o", client]);
  echo = createServer((socket) => socket.pipe(socket));
  http = createHttpServer((_, response) => response.end(BODY));
  udp = udpEcho("udp4");
  echo6 = createServer((socket) => socket.pipe(socket));
  http6 = createHttpServer((_, response) => response.end(BODY));
  udp6 = udpEcho("udp6");
  dns = createSocket("udp4");
  dns.on("message", (message, from) => {
    const query = packet.decode(message);
    const question = query.questions![0];
    const known = question.name === NAME && (question.type === "A" || question.type === "AAAA");
    const answer = question.type === "A" ? { type: "A" as const, name: NAME, ttl: 60, data: "10.0.2.2" } : { type: "AAAA" as const, name: NAME, ttl: 60, data: HOST6 };
    const reply = packet.encode({
      id: query.id, type: "response", flags: packet.RECURSION_DESIRED | (known ? 0 : 3), questions: query.questions,
      answers: known ? [answer] : [],
    });
    dns.send(reply, from.port, from.address);
  });
  const closed = createServer();
  [ports.echo, ports.http, ports.udp, ports.dns, ports.closed] = await Promise.all([listening(echo), listening(http), bound(udp), bound(dns), listening(closed)]);
  await new Promise((resolve) => closed.close(resolve));
  const closed6 = createServer();
  [ports6.echo, ports6.http, ports6.udp, ports6.closed] = await Promise.all([listening(echo6, "::1"), listening(http6, "::1"), bound(udp6, "::1"), listening(closed6, "::1")]);
  await new Promise((resolve) => closed6.close(resolve));
});

afterAll(() => {
  echo?.close();
  http?.close();
  udp?.close();
  dns?.close();
  echo6?.close();
  http6?.close();
  udp6?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.each(BOOT_TARGETS)("WasmEdge sockets on $arch $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wispAsync(
    "run", "--arch", arch, "--machine", machine, "--timeout", "240", "--net", "user",
    "--cmdline", `ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.2:${ports.dns}`, client, "--", ...args,
  );

  it("resolves, echoes 8 MiB, does UDP, HTTP by name, a non-blocking connect and a refused one", async () => {
    const result = await run(
      "resolve", NAME, "+", "echo", "10.0.2.2", String(ports.echo), String(ECHO_BYTES), "+",
      "udp", "10.0.2.2", String(ports.udp), "hello", "+", "get", NAME, String(ports.http), "/", "+",
      "nonblocking", "10.0.2.2", String(ports.echo), "+", "refused", "10.0.2.2", String(ports.closed),
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`${NAME}: 10.0.2.2 (1 records)`);
    expect(lines[1]).toBe(`echoed ${ECHO_BYTES} bytes, fnv1a ${expectedHash(ECHO_BYTES)}`);
    expect(lines[2]).toBe(`reply from 10.0.2.2:${ports.udp}: echo: hello`);
    expect(lines[3]).toBe("HTTP/1.1 200 OK\r");
    const body = result.stdout.indexOf(`\r\n\r\n${BODY}`);
    expect(body).toBeGreaterThan(0);
    const after = result.stdout.slice(body + 4 + BODY.length).split("\n");
    expect(after).toEqual([`connected without blocking to 10.0.2.2:${ports.echo} (type 4)`, "connect: WASI errno 14", ""]);
  }, 300_000);

  it("does it all over IPv6: AAAA, echo, UDP, HTTP by name, non-blocking and refused connects to fec0::2", async () => {
    const result = await run(
      "-6", "resolve", NAME, "+", "echo", HOST6, String(ports6.echo), String(ECHO6_BYTES), "+",
      "udp", HOST6, String(ports6.udp), "hello", "+", "get", NAME, String(ports6.http), "/", "+",
      "nonblocking", HOST6, String(ports6.echo), "+", "refused", HOST6, String(ports6.closed),
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`${NAME}: ${HOST6} (1 records)`);
    expect(lines[1]).toBe(`echoed ${ECHO6_BYTES} bytes, fnv1a ${expectedHash(ECHO6_BYTES)}`);
    expect(lines[2]).toBe(`reply from [${HOST6}]:${ports6.udp}: echo: hello`);
    expect(lines[3]).toBe("HTTP/1.1 200 OK\r");
    const body = result.stdout.indexOf(`\r\n\r\n${BODY}`);
    expect(body).toBeGreaterThan(0);
    const after = result.stdout.slice(body + 4 + BODY.length).split("\n");
    expect(after).toEqual([`connected without blocking to [${HOST6}]:${ports6.echo} (type 6)`, "connect: WASI errno 14", ""]);
  }, 300_000);

  it("answers a name that does not exist with AINONAME, at once", async () => {
    const result = await run("resolve", "nowhere.wisp.test");
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("net-client: resolve: WASI errno 84\n");
    expect(result.status).toBe(1);
  }, 300_000);
});

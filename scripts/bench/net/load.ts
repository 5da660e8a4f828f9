// What a server does under load, as the network benchmark measures it:
//
//   requests   a closed loop: `connections` keep-alive connections (opened
//              one after another: http-client.ts says why), each sending its
//              next GET as soon as the last answer is complete, until
//              `requests` answers are in or the time budget is spent.
//              Requests per second over the whole loop; latency per request.
//   download   one GET of a large file: the server's bytes per second to us.
//   upload     one GET carrying a large request body, which the server reads
//              and discards, followed on the same connection by a small GET
//              whose answer can only come once the body is consumed, after
//              which the server closes: our bytes per second to the server.
//
// Every answer is checked (status, and the body's bytes where we know them):
// a benchmark of wrong answers is no benchmark.

import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { openConnections, type HttpResult } from "./http-client";
import { percentile } from "../stats";

export interface LoadResult {
  connections: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The closed loop above; throws if any answer is not `expected`. */
export async function requestLoop(port: number, path: string, expected: Buffer, connections: number, requests: number, budgetMs: number): Promise<LoadResult> {
  const check = (result: HttpResult) => {
    if (result.status !== 200 || !result.body.equals(expected)) throw new Error(`GET ${path}: status ${result.status}, ${result.body.length} bytes, not the expected ${expected.length}`);
  };
  const opened = await openConnections(port, connections, path);
  for (const first of await Promise.all(opened.first)) check(first);
  const latencies: number[] = [];
  let issued = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  await Promise.all(opened.connections.map(async (connection) => {
    while (issued < requests && performance.now() < deadline) {
      issued++;
      const result = await connection.get(path);
      check(result);
      latencies.push(result.ms);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  for (const connection of opened.connections) connection.close();
  return {
    connections, requests: latencies.length, seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
  };
}

export interface TransferResult {
  bytes: number;
  seconds: number;
  megabytesPerSecond: number;
}

/** Fetches `path` whose body must equal `expected`, timing it. */
export async function download(port: number, path: string, expected: Buffer): Promise<TransferResult> {
  const { connections, first } = await openConnections(port, 1, path);
  const result = await first[0];
  connections[0].close();
  if (result.status !== 200 || !result.body.equals(expected)) throw new Error(`GET ${path}: status ${result.status}, ${result.body.length} bytes, not the expected ${expected.length}`);
  return transfer(expected.length, result.ms);
}

/**
 * Sends `bytes` as a GET's body, then a second GET of `path` on the same
 * connection, asking the server to close after it; times from the first
 * byte out to the close. Both answers must be 200 with `expected` as body.
 */
export function upload(port: number, bytes: number, path: string, expected: Buffer, timeoutMs = 300_000): Promise<TransferResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let start = 0;
    const timer = setTimeout(() => socket.destroy(new Error(`upload of ${bytes} bytes: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("connect", () => {
      start = performance.now();
      sendAll(socket, bytes, path).catch((error) => socket.destroy(error));
    });
    socket.on("data", (data: Buffer) => received.push(data));
    socket.on("end", () => {
      clearTimeout(timer);
      const ms = performance.now() - start;
      socket.destroy();
      const answers = Buffer.concat(received).toString("latin1");
      const statuses = answers.match(/^HTTP\/1\.1 \d{3}/gm) ?? [];
      const body = expected.toString("latin1");
      if (statuses.length !== 2 || statuses.some((status) => status !== "HTTP/1.1 200") || answers.split(body).length !== 3 || !answers.endsWith(body)) {
        reject(new Error(`upload of ${bytes} bytes: expected two 200 answers carrying ${expected.length} bytes each, got ${received.reduce((sum, part) => sum + part.length, 0)} bytes: ${JSON.stringify(answers.slice(0, 200))}`));
      } else {
        resolve(transfer(bytes, ms));
      }
    });
  });
}

/** Writes the request with its `bytes` of body, then the closing request, minding back-pressure. */
async function sendAll(socket: Socket, bytes: number, path: string): Promise<void> {
  const write = async (data: Buffer) => {
    if (!socket.write(data)) await new Promise((drained) => socket.once("drain", drained));
  };
  await write(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: wisp\r\nContent-Length: ${bytes}\r\n\r\n`));
  const chunk = Buffer.alloc(1 << 20, 0x5a);
  for (let sent = 0; sent < bytes; sent += chunk.length) await write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
  await write(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: wisp\r\nConnection: close\r\n\r\n`));
}

function transfer(bytes: number, ms: number): TransferResult {
  return { bytes, seconds: ms / 1000, megabytesPerSecond: bytes / 1e6 / (ms / 1000) };
}

// The HTTP client the network benchmark and the boot tests drive a guest
// server with: Node's own HTTP/1.1 over keep-alive connections that are
// opened one after another.
//
// Why one after another: QEMU's user network forwards a host port
// (hostfwd) through a host listening socket whose backlog is 1. When many
// clients connect in the same instant, the host kernel's accept queue
// overflows before QEMU accepts, the SYNs beyond it are dropped (the
// host's TcpExtListenOverflows counter), and those clients wait for their
// SYN retransmission: 1 s, 3 s, 7 s, ... later. Opening each connection
// once the previous one is connected avoids that; once open, all of them
// carry requests at the same time. A tap network has no such limit.
//
// Each connection is an Agent of its own with one socket, so every request
// given to it goes over that same connection, in turn.

import { request, Agent } from "node:http";

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Wall time from the request to the response's last byte, in ms. */
  ms: number;
}

const HOST = "127.0.0.1";

/**
 * GET `path` on 127.0.0.1:`port`, over `agent`'s connection (a new one
 * closed afterwards without an agent). `connected` settles once the request
 * has a connected socket.
 */
export function httpGet(port: number, path: string, agent?: Agent, timeoutMs = 60_000): { response: Promise<HttpResult>; connected: Promise<void> } {
  const start = performance.now();
  let markConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  const response = new Promise<HttpResult>((resolve, reject) => {
    const req = request({ host: HOST, port, path, agent: agent ?? false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - start }));
      res.on("error", reject);
    });
    req.on("socket", (socket) => (socket.connecting ? socket.once("connect", markConnected) : markConnected()));
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on("error", (error) => {
      markConnected();
      reject(error);
    });
    req.end();
  });
  return { response, connected };
}

/** A keep-alive connection: every get() goes over the same socket, one at a time. */
export class KeepAliveConnection {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  constructor(readonly port: number) {}

  get(path: string, timeoutMs?: number): Promise<HttpResult> {
    return httpGet(this.port, path, this.agent, timeoutMs).response;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Opens `count` keep-alive connections to `port`, one after another, each
 * with a first GET of `path` answered before the next is opened; resolves
 * with the connections and those first answers.
 */
export async function openConnections(port: number, count: number, path: string): Promise<{ connections: KeepAliveConnection[]; first: Promise<HttpResult>[] }> {
  const connections: KeepAliveConnection[] = [];
  const first: Promise<HttpResult>[] = [];
  for (let i = 0; i < count; i++) {
    const connection = new KeepAliveConnection(port);
    const { response } = httpGet(port, path, connection.agent);
    response.catch(() => {}); // the caller awaits it; a failure before then is not unhandled
    connections.push(connection);
    first.push(response);
    await response.catch(() => {});
  }
  return { connections, first };
}

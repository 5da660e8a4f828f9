// Guards modules/http-static, the HTTP/1.1 static file server app, built
// natively with clang and run on 127.0.0.1 against a temporary document root:
// exact bytes for GET / and a 32 MiB file, HEAD, content types, 404, 400 for
// garbage, 405, 414/431, paths that climb out of the root (also
// percent-encoded) refused, keep-alive reuse, HTTP/1.0 and Connection: close,
// pipelined requests answered in order, a request a byte at a time, mangled
// requests, 50 concurrent keep-alive connections (and 100, more than its
// slots, by closing idle ones), clients that reset in the middle of a 32 MiB
// response (the server keeps serving), and GET /__exit?status=3 ending it
// with status 3. Also the LISTEN_FDS path (a listening socket handed over as
// fd 3), and the wasm build: it compiles with wasi-libc, imports only WASI,
// and refuses to start without LISTEN_FDS.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readFileSync, closeSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/build/files";
import { Random } from "./random";

const SOURCE = join(ROOT, "modules", "http-static", "http-static.c");
const FLAGS = ["-O2", "-Wall", "-Werror"];
const work = mkdtempSync(join(tmpdir(), "wisp-http-static-"));
const www = join(work, "www");
const binary = join(work, "http-static");
const activate = join(work, "activate");

/**
 * Socket activation, the way wasmtime --tcplisten and systemd do it: a
 * listening socket on 127.0.0.1 (any port, printed on stderr) as fd 3 and
 * LISTEN_FDS=1, then the program in argv[1..].
 */
const ACTIVATE = `
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char** argv) {
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (argc < 2 || fd < 0 || bind(fd, (struct sockaddr*)&address, length) || listen(fd, 64) ||
      getsockname(fd, (struct sockaddr*)&address, &length) || (fd != 3 && dup2(fd, 3) != 3)) return 99;
  fprintf(stderr, "activate: port %d\\n", ntohs(address.sin_port));
  setenv("LISTEN_FDS", "1", 1);
  execv(argv[1], argv + 1);
  return 98;
}
`;

const INDEX = "<!doctype html>\n<title>http-static</title>\n<p>Hello.</p>\n";
const BIG = randomBytes(32 * 1024 * 1024);
const SECRET = "outside the root\n";

function clang(args: string[]): void {
  try {
    execFileSync("clang", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer };
    if (code === "ENOENT") throw new Error("clang is missing: install Debian's clang and wasi-libc (npm run setup)");
    throw new Error(`clang ${args.join(" ")} failed:\n${stderr}`);
  }
}

interface Server {
  process: ChildProcess;
  port: number;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `command`; resolves once the server's startup line is out, with the port it or `activate` names. */
function startServer(command: string[]): Promise<Server> {
  const child = spawn(command[0], command.slice(1), { env: {}, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const port = /(?:127\.0\.0\.1:|activate: port )(\d+)/.exec(stderr);
      if (/http-static: serving .*\n/.test(stderr)) resolve({ process: child, port: Number(port![1]), stderr: () => stderr, exited });
    });
    exited.then((code) => reject(new Error(`the server exited with ${code} before serving: ${stderr}`)));
  });
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  localPort: number;
}

function get(port: number, path: string, options: http.RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, path, ...options }, (response) => {
      const chunks: Buffer[] = [];
      const localPort = response.socket.localPort!; // the socket goes back to its agent at the end
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks), localPort }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/**
 * Writes `data` on a fresh connection (given as pieces: one at a time, a
 * millisecond apart; with `end`, then closes its side) and reads until the
 * server closes it: the raw bytes.
 */
function raw(port: number, data: string | Buffer | Buffer[], end = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces = Array.isArray(data) ? [...data] : [data];
    const writeNext = () => {
      if (pieces.length > 0) socket.write(pieces.shift()!, () => setTimeout(writeNext, 1));
      else if (end) socket.end();
    };
    const socket = net.connect(port, "127.0.0.1", writeNext);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.on("error", reject);
  });
}

/**
 * Splits a byte stream into responses by their Content-Length; `heads` says
 * which answer HEAD requests (no body). Fails unless every byte is accounted for.
 */
function parseResponses(bytes: Buffer, heads: boolean[] = []): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf("\r\n\r\n", at);
    expect(end).toBeGreaterThan(0);
    const [statusLine, ...lines] = bytes.subarray(at, end).toString("latin1").split("\r\n");
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    expect(status, statusLine).not.toBeNull();
    const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    const length = heads[responses.length] ? 0 : Number(headers.get("content-length"));
    responses.push({ status: Number(status![1]), headers, body: bytes.subarray(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  expect(at).toBe(bytes.length);
  return responses;
}

let server: Server;

beforeAll(async () => {
  clang([...FLAGS, SOURCE, "-o", binary]);
  writeFileSync(`${activate}.c`, ACTIVATE);
  clang([...FLAGS, `${activate}.c`, "-o", activate]);
  mkdirSync(join(www, "sub"), { recursive: true });
  writeFileSync(join(www, "index.html"), INDEX);
  writeFileSync(join(www, "big.bin"), BIG);
  writeFileSync(join(www, "style.css"), "p { color: red; }\n");
  writeFileSync(join(www, "app.js"), "console.log(1);\n");
  writeFileSync(join(www, "data.json"), '{"a":1}\n');
  writeFileSync(join(www, "pixel.png"), Buffer.from("89504e470d0a1a0a", "hex"));
  writeFileSync(join(www, "notes.txt"), "notes\n");
  writeFileSync(join(www, "sub", "page.txt"), "a page in a folder\n");
  writeFileSync(join(www, "sub", "index.html"), "<p>sub</p>\n");
  writeFileSync(join(work, "secret.txt"), SECRET);
  server = await startServer([binary, "--root", www, "--port", "0"]);
});

afterAll(() => {
  if (server?.process.exitCode === null) server.process.kill();
  rmSync(work, { recursive: true, force: true });
});

describe("http-static, native", () => {
  it("GET / is index.html, byte for byte", async () => {
    const response = await get(server.port, "/");
    expect(response.status).toBe(200);
    expect(response.body.equals(Buffer.from(INDEX))).toBe(true);
    expect(response.headers["content-length"]).toBe(String(INDEX.length));
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
  });

  it("streams a 32 MiB file byte for byte", async () => {
    const response = await get(server.port, "/big.bin");
    expect(response.status).toBe(200);
    expect(response.headers["content-length"]).toBe(String(BIG.length));
    expect(response.headers["content-type"]).toBe("application/octet-stream");
    expect(response.body.equals(BIG)).toBe(true);
  });

  it("names content types by extension", async () => {
    const types: Record<string, string> = {
      "/style.css": "text/css; charset=utf-8",
      "/app.js": "text/javascript; charset=utf-8",
      "/data.json": "application/json",
      "/pixel.png": "image/png",
      "/notes.txt": "text/plain; charset=utf-8",
      "/sub/": "text/html; charset=utf-8",
    };
    for (const [path, type] of Object.entries(types)) expect((await get(server.port, path)).headers["content-type"], path).toBe(type);
  });

  it("HEAD has GET's headers and no body", async () => {
    const response = await get(server.port, "/big.bin", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers["content-length"]).toBe(String(BIG.length));
    expect(response.body.length).toBe(0);
  });

  it("answers 404 for a missing file and redirects a folder to its slash", async () => {
    expect((await get(server.port, "/missing.html")).status).toBe(404);
    expect((await get(server.port, "/sub/missing/deeper")).status).toBe(404);
    const redirect = await get(server.port, "/sub?x=1");
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe("/sub/?x=1");
  });

  it("answers 400 to garbage and closes", async () => {
    for (const garbage of ["garbage\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n"]) {
      const [response] = parseResponses(await raw(server.port, garbage));
      expect(response.status, JSON.stringify(garbage)).toBe(400);
      expect(response.headers.get("connection")).toBe("close");
    }
  });

  it("answers 405 to other methods, with Allow", async () => {
    for (const method of ["POST", "DELETE", "OPTIONS"]) {
      const response = await get(server.port, "/", { method });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe("GET, HEAD");
    }
  });

  it("answers 414 and 431 when the request line or the headers do not fit 8 KiB", async () => {
    const [long] = parseResponses(await raw(server.port, `GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(long.status).toBe(414);
    const [large] = parseResponses(await raw(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(9000)}\r\n\r\n`));
    expect(large.status).toBe(431);
  });

  it("refuses paths that climb out of the root, also percent-encoded", async () => {
    const paths = ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/.%2e/secret.txt", "/..%2fsecret.txt", "http://x/../secret.txt"];
    for (const path of paths) {
      const [response] = parseResponses(await raw(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      expect([400, 404], path).toContain(response.status);
      expect(response.body.toString()).not.toContain(SECRET.trim());
    }
    // An absolute path is the root's, and "." segments are nothing.
    expect((await get(server.port, "//sub/./page.txt")).body.toString()).toBe("a page in a folder\n");
    expect((await get(server.port, "/%73ub/page%2Etxt")).status).toBe(200);
  });

  it("keeps a connection alive for several requests", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const response = await get(server.port, i % 2 ? "/notes.txt" : "/", { agent });
      expect(response.status).toBe(200);
      expect(response.headers.connection).toBe("keep-alive");
      ports.add(response.localPort);
    }
    expect(ports.size).toBe(1);
    agent.destroy();
  });

  it("closes on Connection: close and for HTTP/1.0, unless it asks for keep-alive", async () => {
    const [closed] = parseResponses(await raw(server.port, "GET /notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    expect(closed.headers.get("connection")).toBe("close");
    const [old] = parseResponses(await raw(server.port, "GET /notes.txt HTTP/1.0\r\n\r\n"));
    expect(old.headers.get("connection")).toBe("close");
    // HTTP/1.0 with keep-alive: the connection stays for a second request (which closes it).
    const both = parseResponses(await raw(server.port, "GET /notes.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /notes.txt HTTP/1.0\r\n\r\n"));
    expect(both.map((response) => response.headers.get("connection"))).toEqual(["keep-alive", "close"]);
  });

  it("answers pipelined requests in order", async () => {
    const requests =
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n" +
      "HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /data.json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
      "GET /sub/page.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const responses = parseResponses(await raw(server.port, requests), [false, true, false, false, false]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 404, 200, 200]);
    expect(responses[0].body.toString()).toBe(INDEX);
    expect(responses[1].headers.get("content-length")).toBe("18");
    expect(responses[3].body.toString()).toBe('{"a":1}\n');
    expect(responses[4].body.toString()).toBe("a page in a folder\n");
  });

  it("reads a request that arrives a byte at a time", async () => {
    const request = Buffer.from("GET /notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const [response] = parseResponses(await raw(server.port, [...request].map((byte) => Buffer.from([byte]))));
    expect(response.body.toString()).toBe("notes\n");
  });

  it("answers mangled requests with a response or a close, and keeps serving", async () => {
    const random = new Random(undefined, 1);
    const valid = Buffer.from("GET /sub/page.txt?q=%41 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
    const alphabet = Buffer.from("\r\n :%/.?\t\0\xffGETHEAD0123456789");
    for (let round = 0; round < 200; round += 20) {
      const batch = Array.from({ length: 20 }, () => {
        const bytes = [...valid];
        for (let edits = random.int(1, 4); edits > 0; edits--) {
          const at = random.int(0, bytes.length - 1);
          const byte = random.bool(0.5) ? random.int(0, 255) : alphabet[random.int(0, alphabet.length - 1)];
          const kind = random.int(0, 2);
          if (kind === 0) bytes[at] = byte;
          else if (kind === 1) bytes.splice(at, 0, byte);
          else bytes.splice(at, 1);
        }
        return Buffer.from(bytes);
      });
      const answers = await Promise.all(batch.map((bytes) => raw(server.port, bytes, true)));
      answers.forEach((answer, i) => {
        const text = answer.toString("latin1");
        expect(text === "" || /^HTTP\/1\.1 (200|301|400|404|405|414|431|501|505) /.test(text), `${random.label}: ${JSON.stringify(batch[i].toString("latin1"))} -> ${JSON.stringify(text.slice(0, 40))}`).toBe(true);
      });
    }
    expect((await get(server.port, "/")).body.toString()).toBe(INDEX);
  });

  it("serves 50 concurrent keep-alive connections", async () => {
    const agents = Array.from({ length: 50 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    // Every connection opens and stays open before any makes its next requests.
    const first = await Promise.all(agents.map((agent) => get(server.port, "/", { agent })));
    expect(new Set(first.map((response) => response.localPort)).size).toBe(50);
    const rest = await Promise.all(
      agents.map(async (agent, i) => {
        const responses: Response[] = [];
        for (const path of ["/notes.txt", "/data.json", "/"]) responses.push(await get(server.port, path, { agent }));
        return responses.every((response) => response.status === 200 && response.localPort === first[i].localPort);
      }),
    );
    expect(rest.every(Boolean)).toBe(true);
    for (const agent of agents) agent.destroy();
  });

  it("makes room for more clients than it has slots by closing idle keep-alive connections", async () => {
    const agents = Array.from({ length: 100 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const responses = await Promise.all(agents.map((agent) => get(server.port, "/notes.txt", { agent })));
    expect(responses.every((response) => response.status === 200 && response.body.toString() === "notes\n")).toBe(true);
    for (const agent of agents) agent.destroy();
  });

  it("survives clients that reset in the middle of a 32 MiB response", async () => {
    for (const reset of [true, false, true]) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(server.port, "127.0.0.1", () => socket.write("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
        let received = 0;
        socket.on("data", (chunk) => {
          received += chunk.length;
          if (received < 1024 * 1024) return;
          if (reset) socket.resetAndDestroy();
          else socket.destroy();
          resolve();
        });
        socket.on("error", reject);
      });
      const response = await get(server.port, "/");
      expect(response.body.toString()).toBe(INDEX);
    }
    expect(server.process.exitCode).toBeNull();
    expect((await get(server.port, "/big.bin")).body.equals(BIG)).toBe(true);
  });

  it("GET /__exit?status=3 answers bye and exits with 3", async () => {
    const response = await get(server.port, "/__exit?status=3");
    expect(response.body.toString()).toBe("bye\n");
    expect(await server.exited).toBe(3);
    expect(server.stderr()).toBe(`http-static: serving ${www} on 127.0.0.1:${server.port}\n`);
  });
});

describe("http-static, sockets from LISTEN_FDS", () => {
  it("serves a listening socket handed over as fd 3", async () => {
    const activated = await startServer([activate, binary, "--root", www]);
    expect((await get(activated.port, "/")).body.toString()).toBe(INDEX);
    expect((await get(activated.port, "/__exit?status=0")).body.toString()).toBe("bye\n");
    expect(await activated.exited).toBe(0);
    expect(activated.stderr()).toBe(`activate: port ${activated.port}\nhttp-static: serving ${www} on 1 listening socket\n`);
  });

  it("refuses to start without LISTEN_FDS or with a fd that is not a socket, with status 2", () => {
    for (const [env, message] of [
      [{}, /LISTEN_FDS is not set/],
      [{ LISTEN_FDS: "1" }, /LISTEN_FDS=1, but fd 3 is not open/],
      [{ LISTEN_FDS: "two" }, /LISTEN_FDS=two: expected a count/],
    ] as const) {
      let status = 0, stderr = "";
      try {
        execFileSync(binary, ["--root", www], { env, stdio: ["ignore", "pipe", "pipe"] });
      } catch (error) {
        ({ status, stderr } = error as { status: number; stderr: string });
      }
      expect(status).toBe(2);
      expect(String(stderr)).toMatch(message);
    }
  });
});

describe("http-static, wasm32-wasi", () => {
  const wasm = join(work, "http-static.wasm");

  it("compiles with wasi-libc and imports only WASI, sockets included", async () => {
    clang(["--target=wasm32-wasi", ...FLAGS, SOURCE, "-o", wasm]);
    const imports = WebAssembly.Module.imports(await WebAssembly.compile(readFileSync(wasm)));
    expect(new Set(imports.map((entry) => entry.module))).toEqual(new Set(["wasi_snapshot_preview1"]));
    const names = imports.map((entry) => entry.name);
    for (const name of ["sock_accept", "sock_recv", "sock_send", "sock_shutdown", "poll_oneoff", "fd_fdstat_set_flags"]) expect(names).toContain(name);
  });

  it("exits with 2 and says why when LISTEN_FDS is missing (under Node's WASI)", async () => {
    const stderrPath = join(work, "wasi-stderr");
    const stderr = openSync(stderrPath, "w");
    const wasi = new WASI({ version: "preview1", args: ["http-static"], env: {}, returnOnExit: true, stderr });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(wasm)), wasi.getImportObject() as WebAssembly.Imports);
    const status = wasi.start(instance);
    closeSync(stderr);
    expect(status).toBe(2);
    expect(readFileSync(stderrPath, "utf8")).toMatch(/^http-static: LISTEN_FDS is not set/);
  });
});

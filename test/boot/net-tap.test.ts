// Boot tier, opt-in: `wisp run --net tap:IFNAME`, the deployment path. Runs
// only with WISP_TAP_TEST=1, as root, with /dev/net/tun, `ip` and `ping`:
// it makes a host-only tap interface (10.77.0.1/24 on the host, no routing,
// no traffic leaves the machine), boots modules/http-static on it with
// ip=10.77.0.2/24,10.77.0.1, and checks that the guest answers ping (ICMP
// echo: the user network cannot carry it) and serves its index byte for
// byte, then exits with the status a request asks for. The tap is deleted
// afterwards. Without WISP_TAP_TEST the file is skipped: CI's machines may
// not let a test make interfaces.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOT_TARGETS } from "./wisp-cli";

const ROOT = new URL("../..", import.meta.url).pathname;
const MODULE = join(ROOT, "modules/http-static");
const TAP = `wisptap${process.pid % 10000}`;
const GUEST = "10.77.0.2";
const OPTED_IN = process.env.WISP_TAP_TEST === "1";

if (!OPTED_IN) {
  console.log("net-tap: skipped; run it with WISP_TAP_TEST=1, as root, on a machine with /dev/net/tun, ip and ping");
}

function get(path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: GUEST, port: 8080, path, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(!OPTED_IN).each(BOOT_TARGETS)("a tap network on $arch $machine", ({ arch, machine }) => {
  let work = "";
  let child: ChildProcess;
  let output = "";
  let exited: Promise<number>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wisp-tap-"));
    const server = join(work, "http-static.wasm");
    execFileSync("clang", ["--target=wasm32-wasi", "-O2", join(MODULE, "http-static.c"), "-o", server]);
    execFileSync("ip", ["tuntap", "add", "dev", TAP, "mode", "tap"]);
    execFileSync("ip", ["addr", "add", "10.77.0.1/24", "dev", TAP]);
    execFileSync("ip", ["link", "set", TAP, "up"]);
    child = spawn(process.execPath, [
      "scripts/wisp.mjs", "run", "--arch", arch, "--machine", machine, "--timeout", "300", "--net", `tap:${TAP}`,
      "--cmdline", `ip=${GUEST}/24,10.77.0.1 listen=8080`, server, "--dir", `${join(MODULE, "www")}:/www:image`, "--", "--root", "/www",
    ], { cwd: ROOT });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    exited = new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wisp exited with ${child.exitCode} before serving:\n${output}`);
      if ((await get("/").catch(() => null))?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`no answer from ${GUEST}:8080 within 180 s:\n${output}`);
  }, 240_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill();
    execFileSync("ip", ["link", "del", TAP], { stdio: "ignore" });
    rmSync(work, { recursive: true, force: true });
  });

  it("answers ping: three echoes of 56 and of 1,400 bytes, none lost", () => {
    for (const size of ["56", "1400"]) {
      const result = execFileSync("ping", ["-c", "3", "-W", "5", "-s", size, GUEST], { encoding: "utf8" });
      expect(result).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    }
  });

  it("serves its index byte for byte and exits with the status asked for", async () => {
    const index = await get("/index.html");
    expect(index.status).toBe(200);
    expect(index.body.equals(readFileSync(join(MODULE, "www/index.html")))).toBe(true);
    expect((await get("/__exit?status=5")).status).toBe(200);
    expect(await exited).toBe(5);
  });
});

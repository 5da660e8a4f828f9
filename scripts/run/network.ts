// wisp run's network options, turned into the network devices QEMU attaches
// (scripts/run/qemu.ts Net):
//
//   --listen [HOSTADDR:]HOSTPORT[:GUESTPORT]   QEMU's user network, the host's TCP port forwarded to the
//                                               guest's (hostfwd); HOSTADDR 127.0.0.1 and GUESTPORT
//                                               HOSTPORT unless given. Repeatable.
//   --net user                                  the user network without forwards
//   --net user:restrict                         the user network cut off from the host and
//                                               the outside (QEMU's restrict=on): only the
//                                               --listen forwards reach the guest
//   --net tap:IFNAME                            an existing host tap interface
//   --net none                                  no network device, even with --listen refused
//
// With two fields, a first field holding dots is HOSTADDR (127.0.0.1:8080),
// otherwise it is HOSTPORT (8080:80). A bad spec, --listen beside a tap,
// or a host port already taken is a UsageError, found before QEMU starts.

import { createServer } from "node:net";
import { UsageError } from "../cli/errors";
import type { HostForward, Net } from "./qemu";

const DEFAULT_HOST_ADDRESS = "127.0.0.1";
/** The user network's fixed addressing (slirp): the guest, its prefix, its gateway and its name server. */
const USER_NETWORK_ADDRESSING = "ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3";

/** Parses --listen [HOSTADDR:]HOSTPORT[:GUESTPORT]. */
export function parseListen(spec: string): HostForward {
  const fields = spec.split(":");
  const usage = `--listen ${spec}: expected [HOSTADDR:]HOSTPORT[:GUESTPORT], e.g. 8080 or 127.0.0.1:8080:80`;
  if (fields.length > 3 || fields.some((field) => field === "")) throw new UsageError(usage);
  const withAddress = fields.length === 3 || (fields.length === 2 && fields[0].includes("."));
  const hostAddress = withAddress ? fields[0] : DEFAULT_HOST_ADDRESS;
  const ports = withAddress ? fields.slice(1) : fields;
  if (!isIpv4Address(hostAddress)) throw new UsageError(`--listen ${spec}: ${hostAddress} is not an IPv4 address`);
  const hostPort = parsePort(spec, ports[0]);
  return { hostAddress, hostPort, guestPort: ports.length > 1 ? parsePort(spec, ports[1]) : hostPort };
}

function parsePort(spec: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`--listen ${spec}: ${text} is not a TCP port (1-65535)`);
  return port;
}

function isIpv4Address(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** The network devices for --net (undefined if not given) and the --listen specs: none, one user network, or one tap. */
export function networkDevices(net: string | undefined, listens: string[]): Net[] {
  const forwards = listens.map(parseListen);
  const seen = new Set<string>();
  listens.forEach((spec, index) => {
    const where = `${forwards[index].hostAddress}:${forwards[index].hostPort}`;
    if (seen.has(where)) throw new UsageError(`--listen ${spec}: ${where} is forwarded twice`);
    seen.add(where);
  });
  if (net === undefined) return forwards.length ? [{ kind: "user", forwards }] : [];
  if (net === "user") return [{ kind: "user", forwards }];
  if (net === "user:restrict") return [{ kind: "user", forwards, restrict: true }];
  if (net === "none") {
    if (forwards.length) throw new UsageError(`--listen ${listens[0]}: --net none attaches no network to forward to`);
    return [];
  }
  const tap = /^tap:([A-Za-z0-9_.-]{1,15})$/.exec(net);
  if (tap === null) throw new UsageError(`--net ${net}: expected user, user:restrict, none or tap:IFNAME (an interface name of at most 15 letters, digits, '.', '_' or '-')`);
  if (forwards.length) throw new UsageError(`--listen ${listens[0]}: host forwards need the user network, not --net ${net}`);
  return [{ kind: "tap", ifname: tap[1] }];
}

/** Refuses a --listen whose host port cannot be listened on now (in use, or not ours to take), by listening once and closing. */
export async function checkHostPorts(listens: string[]): Promise<void> {
  for (const spec of listens) {
    const { hostAddress, hostPort } = parseListen(spec);
    const problem = await listenOnce(hostAddress, hostPort);
    if (problem === "EADDRINUSE") throw new UsageError(`--listen ${spec}: ${hostAddress}:${hostPort} is in use`);
    if (problem !== null) throw new UsageError(`--listen ${spec}: cannot listen on ${hostAddress}:${hostPort} (${problem})`);
  }
}

/** null if a TCP server could listen on `address`:`port` (it is closed again), else the error's code. */
function listenOnce(address: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * Kernel options the network devices need: the user network's addressing
 * on eth0 (unless `cmdline` sets ip= itself; a tap's address is the
 * deployer's to give, with --cmdline ip=...), and listen= with the guest
 * ports forwarded to, which gives the image's app its listening sockets.
 */
export function networkKernelOptions(nets: Net[], cmdline: string): string[] {
  const options: string[] = [];
  const user = nets[0]?.kind === "user" ? nets[0] : undefined;
  if (user !== undefined && !/(^|\s)ip=/.test(cmdline)) options.push(USER_NETWORK_ADDRESSING);
  const ports = user === undefined ? [] : [...new Set(user.forwards.map((forward) => forward.guestPort))];
  if (ports.length) options.push(`listen=${ports.join(",")}`);
  return options;
}

// What a stack's socket table holds: an endpoint of some kind, by number.
//
// Sockets are small integers into the stack's table (stack.ts MAX_SOCKETS,
// the lowest free one first), each the address of an Endpoint: a TCP
// listener or connection (tcp-connection.ts) or a UDP socket
// (udp-sockets.ts). Each kind's operations look their endpoints up with
// endpointOf and refuse the others' (-EBADF, as for a free number); the
// front door (index.ts) sends a call to the kind's operations.

import { Stack, MAX_SOCKETS } from "./stack";
import { EMFILE } from "../errno";

export const ENDPOINT_LISTENER: u32 = 1;
export const ENDPOINT_CONNECTION: u32 = 2;
export const ENDPOINT_DATAGRAM: u32 = 3;

/** The address the last tcpAddress or udpAddress found (an ip.ts pair; unspecified, all 0, for "any"). */
export let foundHigh: u64 = 0;
export let foundLow: u64 = 0;

export function setFound(high: u64, low: u64): void {
  foundHigh = high;
  foundLow = low;
}

export class Endpoint {
  /** The socket number the app holds it by, -1 when none. */
  socket: i32 = -1;
  kind: u32 = 0;

  get isListener(): bool {
    return this.kind == ENDPOINT_LISTENER;
  }

  get isDatagram(): bool {
    return this.kind == ENDPOINT_DATAGRAM;
  }
}

/** The endpoint at `socket`, or null when the number is out of range or free. */
export function endpointOf(stack: Stack, socket: i32): Endpoint | null {
  if (socket < 0 || socket >= MAX_SOCKETS) return null;
  const slot = load<usize>(stack.sockets + (<usize>socket << 3));
  return slot == 0 ? null : changetype<Endpoint>(slot);
}

/** The kind of the endpoint at `socket`, 0 when none. */
export function endpointKind(stack: Stack, socket: i32): u32 {
  const endpoint = endpointOf(stack, socket);
  return endpoint === null ? 0 : endpoint.kind;
}

/** Gives `endpoint` the lowest free socket number; -EMFILE when the table is full. */
export function attachEndpoint(stack: Stack, endpoint: Endpoint): i32 {
  for (let i = 0; i < MAX_SOCKETS; i++) {
    const at = stack.sockets + (<usize>i << 3);
    if (load<usize>(at) == 0) {
      store<usize>(at, changetype<usize>(endpoint));
      endpoint.socket = i;
      return i;
    }
  }
  return -EMFILE;
}

/** Frees `endpoint`'s number. */
export function detachEndpoint(stack: Stack, endpoint: Endpoint): void {
  store<usize>(stack.sockets + (<usize>endpoint.socket << 3), 0);
  endpoint.socket = -1;
}

// The network's in-kernel self-test (selftest=tcp): the kernel's own stack
// through the front door (index.ts), its thread, mutex and waits, on a
// loopback device: every frame transmitted comes back as received, so the
// stack talks to itself at 10.0.0.1 (ARP included). An echo thread accepts
// and echoes; the test thread connects, sends in pieces and reads back
// with RECEIVE_WAITALL, checks nonblocking answers, readiness, waiting,
// half-close, EPIPE, and a refused connection.

import { NetworkDevice, wakeNetwork } from "./device";
import { NetConfig } from "./config";
import {
  startNetworkOn, tcpListen, tcpConnect, socketAccept, socketReceive, socketSend, socketShutdown, socketClose,
  socketReadiness, waitForNetwork, networkEpoch, networkMemoryBytes, networkCounter, printNetworkReport, READY_READ,
  READY_WRITE, READY_HANGUP, RECEIVE_WAITALL, SHUT_WR,
} from "./index";
import { FRAMES_IN } from "./counters";
import { ipv4MappedLow } from "./ipv6-address";
import { beginSelfTest, check, endSelfTest } from "../selftest/check";
import { spawn, join } from "../sched/index";
import { now } from "../time/index";
import { EAGAIN, ECONNREFUSED, EPIPE } from "../errno";

const SLOTS: u32 = 64;
const SLOT_BYTES: u32 = 1536;
const ADDRESS: u32 = 0x0a000001;
const PORT: u32 = 7;
const PIECE: u32 = 48 << 10;
const PIECES: u32 = 6;

/** A device whose every transmitted frame is received next (up to SLOTS waiting). */
class LoopbackDevice extends NetworkDevice {
  slots: usize = heap.alloc(<usize>SLOTS * SLOT_BYTES);
  lengths: StaticArray<u32> = new StaticArray<u32>(<i32>SLOTS);
  head: u32 = 0;
  count: u32 = 0;

  constructor() {
    super();
    this.mac = 0x02_00_00_00_00_01;
  }

  transmit(frame: usize, length: u32): i32 {
    if (this.count == SLOTS || length > SLOT_BYTES) return -EAGAIN;
    const slot = (this.head + this.count) % SLOTS;
    memory.copy(this.slots + <usize>slot * SLOT_BYTES, frame, length);
    this.lengths[slot] = length;
    this.count++;
    wakeNetwork();
    return 0;
  }

  nextFrame(): usize {
    if (this.count == 0) return 0;
    this.frameLength = this.lengths[this.head];
    return this.slots + <usize>this.head * SLOT_BYTES;
  }

  releaseFrame(): void {
    this.head = (this.head + 1) % SLOTS;
    this.count--;
  }
}

let listener: i32 = -1;
let echoed: u64 = 0;
let echoEnd: i64 = -1;

/** The echo thread: one connection, everything it receives sent back, until the end of the stream. */
function echo(argument: usize): void {
  const socket = socketAccept(listener, false);
  if (socket < 0) return;
  const buffer = heap.alloc(4096);
  while (true) {
    const got = socketReceive(socket, buffer, 4096, 0, false);
    if (got <= 0) {
      echoEnd = got;
      break;
    }
    if (socketSend(socket, buffer, <usize>got, false) != got) break;
    echoed += <u64>got;
  }
  heap.free(buffer);
  socketClose(socket);
}

function byteAt(i: u32): u8 {
  return <u8>((i * 7 + (i >> 8)) & 0xff);
}

export function runNetworkSelfTest(): bool {
  beginSelfTest();
  const config = new NetConfig();
  config.address = ADDRESS;
  config.prefix = 24;
  check("the stack starts on a loopback device", startNetworkOn(new LoopbackDevice(), config) == 0);
  listener = tcpListen(PORT, 4);
  check("listen", listener >= 0);
  check("a nonblocking accept with nothing queued is EAGAIN", socketAccept(listener, true) == -EAGAIN);
  const echoThread = spawn("echo", echo);
  const socket = tcpConnect(0, ipv4MappedLow(ADDRESS), PORT);
  check("connect (through ARP to ourselves)", socket >= 0);
  const out = heap.alloc(PIECE);
  const back = heap.alloc(PIECE);
  check("a nonblocking receive with nothing waiting is EAGAIN", socketReceive(socket, back, 16, 0, true) == -EAGAIN);
  check("a fresh connection is writable, not readable", socketReadiness(socket) == READY_WRITE);
  let intact = true;
  let counted = true;
  for (let piece: u32 = 0; piece < PIECES; piece++) {
    for (let i: u32 = 0; i < PIECE; i++) store<u8>(out + i, byteAt(piece * PIECE + i));
    counted = counted && socketSend(socket, out, PIECE, false) == <i64>PIECE;
    counted = counted && socketReceive(socket, back, PIECE, RECEIVE_WAITALL, false) == <i64>PIECE;
    intact = intact && memory.compare(out, back, PIECE) == 0;
  }
  check("every send and WAITALL receive takes the whole piece", counted);
  check("what comes back is what went out", intact);
  const start = now();
  waitForNetwork(start + 20_000_000, networkEpoch());
  check("waitForNetwork returns by its deadline", now() < start + 1_000_000_000);
  check("shutdown for writing", socketShutdown(socket, SHUT_WR) == 0);
  check("a send after SHUT_WR is EPIPE", socketSend(socket, out, 1, false) == -EPIPE);
  check("the end of the stream reads as 0", socketReceive(socket, back, 16, 0, false) == 0);
  check("the peer's close and everything read: readable, hung up", (socketReadiness(socket) & (READY_READ | READY_HANGUP)) == (READY_READ | READY_HANGUP));
  check("the echo thread saw the end of the stream", echoThread !== null && join(echoThread!) == 0 && echoEnd == 0);
  check("the echo thread echoed everything", echoed == <u64>PIECE * PIECES);
  check("close", socketClose(socket) == 0 && socketClose(listener) == 0);
  check("a connection to a closed port is refused", tcpConnect(0, ipv4MappedLow(ADDRESS), PORT + 1) == -ECONNREFUSED);
  check("the stack reports its memory and counts frames", networkMemoryBytes() > 0 && networkCounter(FRAMES_IN) > 0);
  heap.free(out);
  heap.free(back);
  printNetworkReport();
  return endSelfTest("tcp");
}

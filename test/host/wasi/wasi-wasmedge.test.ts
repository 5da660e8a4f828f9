// Guards loader/wasi/wasmedge.ts, socket-address.ts and addrinfo.ts, the
// parts that need no network: sock_getaddrinfo's records for numeric names,
// byte for byte against layouts computed here from WasmEdge's definitions
// (addrinfo 28 bytes, sockaddr 12, sa_data 14: port then address, network
// order); its refusals with WasmEdge's EAI errnos; and the other functions'
// answers without a network (NETDOWN), on descriptors that are not sockets
// (NOTSOCK, BADF), for misaligned pointers (ADDRNOTAVAIL) and bad levels.
// The calls with a network are the boot tier's (test/boot/net-client.test.ts).

import { afterEach, describe, expect, it } from "vitest";
import { WasiHarness, E, RESULT, DATA, OUTSIDE, SANDBOX } from "./client";

const h = await WasiHarness.create();
afterEach(() => h.tearDown());

const AI = { AGAIN: 78, BADFLAG: 79, FAIL: 80, FAMILY: 81, MEMORY: 82, NONAME: 84, SERVICE: 85 } as const;
const LIST = 0x6000; // the app's records
const HINTS = 0x5f00;
const NAMES = 0x5e00;
const RECORD = 28;
const SOCKADDR = 12;
const SA_DATA = 14;
const CANON = 16;

/** Lays out `count` linked records as an app does (wasmedge_wasi_socket's get_addrinfo): record i, its sockaddr, sa_data (`saData` bytes), canonname. */
function records(count: number, saData = SA_DATA): { record: (i: number) => number; sockaddr: (i: number) => number; data: (i: number) => number; canon: (i: number) => number } {
  const stride = saData <= 16 ? 16 : 28;
  const record = (i: number) => LIST + i * RECORD;
  const sockaddr = (i: number) => LIST + count * RECORD + i * SOCKADDR;
  const data = (i: number) => LIST + count * (RECORD + SOCKADDR) + i * stride;
  const canon = (i: number) => LIST + count * (RECORD + SOCKADDR + stride) + i * CANON;
  const view = h.view();
  for (let i = 0; i < count; i++) {
    h.app.fill(0, record(i), record(i) + RECORD);
    view.setUint32(record(i) + 12, sockaddr(i), true);
    view.setUint32(record(i) + 16, canon(i), true);
    view.setUint32(record(i) + 20, CANON, true);
    view.setUint32(record(i) + 24, i + 1 < count ? record(i + 1) : 0, true);
    h.app.fill(0, sockaddr(i), sockaddr(i) + SOCKADDR);
    view.setUint32(sockaddr(i) + 4, saData, true);
    view.setUint32(sockaddr(i) + 8, data(i), true);
  }
  view.setUint32(RESULT + 16, record(0), true);
  return { record, sockaddr, data, canon };
}

function hints(flags: number, family: number, socktype: number, protocol: number): void {
  h.app.fill(0, HINTS, HINTS + RECORD);
  const view = h.view();
  view.setUint16(HINTS, flags, true);
  view.setUint8(HINTS + 2, family);
  view.setUint8(HINTS + 3, socktype);
  view.setUint8(HINTS + 4, protocol);
}

function getaddrinfo(node: string, service: string, max: number): number {
  const nodeBytes = h.put(NAMES, node);
  const serviceBytes = h.put(NAMES + 0x80, service);
  return h.call("sock_getaddrinfo", NAMES, nodeBytes, NAMES + 0x80, serviceBytes, HINTS, RESULT + 16, max, RESULT);
}

describe("sock_getaddrinfo", () => {
  it("writes a stream and a datagram record for a dotted quad, in WasmEdge's layout", () => {
    h.setUp();
    const list = records(4);
    hints(0, 1, 0, 0);
    expect(getaddrinfo("10.0.2.2\0", "8080\0", 4)).toBe(E.SUCCESS); // the crate passes NUL-terminated strings
    expect(h.u32(RESULT)).toBe(2);
    const expectedData = [0x1f, 0x90, 10, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const [i, socktype, protocol] of [[0, 2, 1], [1, 1, 2]]) {
      const at = list.record(i);
      expect([h.u16(at), h.u8(at + 2), h.u8(at + 3), h.u8(at + 4), h.u32(at + 8), h.u32(at + 20)]).toEqual([0, 1, socktype, protocol, 16, 0]);
      expect(h.u32(at + 12)).toBe(list.sockaddr(i)); // the app's pointers stay
      expect(h.u32(at + 24)).toBe(i == 0 ? list.record(1) : list.record(2));
      expect([h.u8(list.sockaddr(i)), h.u32(list.sockaddr(i) + 4), h.u32(list.sockaddr(i) + 8)]).toEqual([1, SA_DATA, list.data(i)]);
      expect([...h.bytes(list.data(i), SA_DATA)]).toEqual(expectedData);
    }
    expect(h.u8(list.record(2) + 2)).toBe(0); // the third record is untouched
  });

  it("writes IPv6 records in the layout after a sockaddr_in6's family", () => {
    h.setUp();
    const list = records(3, 26);
    hints(0, 2, 2, 0);
    expect(getaddrinfo("2001:db8::15", "8080", 3)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(1);
    const at = list.record(0);
    expect([h.u16(at), h.u8(at + 2), h.u8(at + 3), h.u8(at + 4), h.u32(at + 8)]).toEqual([0, 2, 2, 1, 28]);
    expect([h.u8(list.sockaddr(0)), h.u32(list.sockaddr(0) + 4)]).toEqual([2, 26]);
    const address = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15];
    expect([...h.bytes(list.data(0), 26)]).toEqual([0x1f, 0x90, 0, 0, 0, 0, ...address, 0, 0, 0, 0]);
    hints(0, 2, 1, 0); // the loopback default, a datagram
    expect(getaddrinfo("", "53", 3)).toBe(E.SUCCESS);
    expect([...h.bytes(list.data(0), 22)]).toEqual([0, 53, 0, 0, 0, 0, ...Array(15).fill(0), 1]);
    hints(0, 2, 2, 0);
    expect(getaddrinfo("localhost", "80", 3)).toBe(E.SUCCESS);
    expect(h.u8(list.data(0) + 21)).toBe(1);
  });

  it("honours the hints: one record for a stream, the passive and loopback defaults, the canonical name", () => {
    h.setUp();
    const list = records(3);
    hints(0, 0, 2, 0);
    expect(getaddrinfo("", "443", 3)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(1);
    expect([...h.bytes(list.data(0), 6)]).toEqual([1, 0xbb, 127, 0, 0, 1]);
    hints(1, 0, 0, 2); // AI_PASSIVE, UDP
    expect(getaddrinfo("", "domain", 3)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(1);
    expect([h.u8(list.record(0) + 3), h.u8(list.record(0) + 4)]).toEqual([1, 2]);
    expect([...h.bytes(list.data(0), 6)]).toEqual([0, 53, 0, 0, 0, 0]);
    records(3); // ai_canonname_len is the buffer's size going in and the name's coming out: lay the list out afresh
    hints(2, 1, 2, 1); // AI_CANONNAME
    expect(getaddrinfo("192.168.1.9", "http", 3)).toBe(E.SUCCESS);
    expect(h.u32(list.record(0) + 20)).toBe(11);
    expect(h.text(list.canon(0), 12)).toBe("192.168.1.9\0");
  });

  it("refuses with WasmEdge's errnos", () => {
    h.setUp();
    records(2);
    hints(0, 0, 0, 0);
    expect(getaddrinfo("", "", 2)).toBe(AI.NONAME);
    expect(getaddrinfo("10.0.2.2", "80", 0)).toBe(AI.MEMORY);
    expect(getaddrinfo("10.0.2.2", "gopher", 2)).toBe(AI.SERVICE);
    expect(getaddrinfo("10.0.2.2", "70000", 2)).toBe(AI.SERVICE);
    expect(getaddrinfo("example.test", "80", 2)).toBe(AI.FAIL); // no network, so no name server
    expect(getaddrinfo("::1", "80", 2)).toBe(AI.FAMILY); // an IPv6 address, for IPv4 hints
    expect(getaddrinfo("fe80::1:2", "80", 2)).toBe(AI.FAMILY);
    hints(4, 0, 0, 0); // AI_NUMERICHOST
    expect(getaddrinfo("example.test", "80", 2)).toBe(AI.NONAME);
    hints(8, 0, 0, 0); // AI_NUMERICSERV
    expect(getaddrinfo("10.0.2.2", "http", 2)).toBe(AI.NONAME);
    hints(0x80, 0, 0, 0);
    expect(getaddrinfo("10.0.2.2", "80", 2)).toBe(AI.BADFLAG);
    hints(2, 0, 0, 0);
    expect(getaddrinfo("", "80", 2)).toBe(AI.BADFLAG); // a canonical name needs a node
    hints(0, 2, 0, 0);
    expect(getaddrinfo("::1", "80", 2)).toBe(E.INVAL); // IPv6 answers need 26 bytes of sa_data
    records(2, 26);
    expect(getaddrinfo("10.0.2.2", "80", 2)).toBe(AI.FAMILY); // an IPv4 address, for IPv6 hints
    records(2);
    hints(0, 7, 0, 0);
    expect(getaddrinfo("10.0.2.2", "80", 2)).toBe(AI.FAMILY);
    hints(0, 0, 3, 0);
    expect(getaddrinfo("10.0.2.2", "80", 2)).toBe(E.NOSYS);
    hints(0, 0, 0, 0);
    expect(h.call("sock_getaddrinfo", NAMES, 4, NAMES, 0, HINTS + 1, RESULT + 16, 2, RESULT)).toBe(E.ADDRNOTAVAIL);
    expect(h.call("sock_getaddrinfo", OUTSIDE, 4, NAMES, 0, HINTS, RESULT + 16, 2, RESULT)).toBe(E.FAULT);
    h.view().setUint32(RESULT + 16, OUTSIDE, true); // a record list outside memory
    expect(getaddrinfo("10.0.2.2", "80", 2)).toBe(E.FAULT);
  });
});

describe("the other functions without a network", () => {
  it("sock_open: NETDOWN, after checking its arguments as WasmEdge does", () => {
    h.setUp();
    expect(h.call("sock_open", 1, 2, RESULT + 1)).toBe(E.ADDRNOTAVAIL);
    expect(h.call("sock_open", 1, 2, OUTSIDE)).toBe(E.FAULT);
    expect(h.call("sock_open", 2, 2, RESULT)).toBe(E.NETDOWN); // IPv6: taken, but there is no network
    expect(h.call("sock_open", 3, 2, RESULT)).toBe(E.NOSYS);
    expect(h.call("sock_open", 0, 2, RESULT)).toBe(E.INVAL);
    expect(h.call("sock_open", 1, 0, RESULT)).toBe(E.INVAL);
    expect(h.call("sock_open", 1, 2, RESULT)).toBe(E.NETDOWN);
    expect(h.call("sock_open_v2", 1, 1, RESULT)).toBe(E.NETDOWN);
  });

  it("every socket call on a file is NOTSOCK, on a closed descriptor BADF", () => {
    h.setUp();
    h.view().setUint32(DATA, DATA + 16, true); // an address buffer of 4 bytes
    h.view().setUint32(DATA + 4, 4, true);
    for (const fd of [SANDBOX, 77]) {
      const expected = fd == SANDBOX ? E.NOTSOCK : E.BADF;
      expect(h.call("sock_bind", fd, DATA, 80)).toBe(expected);
      expect(h.call("sock_listen", fd, 1)).toBe(expected);
      expect(h.call("sock_connect", fd, DATA, 80)).toBe(expected);
      expect(h.call("sock_accept_v1", fd, RESULT)).toBe(expected);
      expect(h.call("sock_getlocaladdr", fd, DATA, RESULT, RESULT + 4)).toBe(expected);
      expect(h.call("sock_getpeeraddr_v2", fd, DATA, RESULT)).toBe(E.INVAL); // 4 bytes: V2 wants the 128-byte storage, checked first
      expect(h.call("sock_setsockopt", fd, 0, 0, DATA, 4)).toBe(expected);
      expect(h.call("sock_send_to", fd, 0, 0, DATA, 80, 0, RESULT)).toBe(expected);
      expect(h.call("sock_recv_from", fd, 0, 0, DATA, 0, RESULT, RESULT + 4)).toBe(expected);
    }
  });

  it("checks addresses, pointers and levels before the descriptor", () => {
    h.setUp();
    const view = h.view();
    view.setUint32(DATA, DATA + 16, true);
    view.setUint32(DATA + 4, 16, true); // an IPv6 address: read, then the descriptor is looked at
    expect(h.call("sock_bind", SANDBOX, DATA, 80)).toBe(E.NOTSOCK);
    view.setUint32(DATA + 4, 7, true);
    expect(h.call("sock_connect", SANDBOX, DATA, 80)).toBe(E.INVAL);
    view.setUint32(DATA + 4, 128, true); // storage: only the _v2 functions take it
    expect(h.call("sock_connect", SANDBOX, DATA, 80)).toBe(E.INVAL);
    view.setUint16(DATA + 16, 3, true); // ... of a Unix address
    expect(h.call("sock_connect_v2", SANDBOX, DATA, 80)).toBe(E.AFNOSUPPORT);
    view.setUint16(DATA + 16, 9, true); // ... of no family
    expect(h.call("sock_connect_v2", SANDBOX, DATA, 80)).toBe(E.INVAL);
    view.setUint16(DATA + 16, 2, true); // ... of IPv6: read, then the descriptor is looked at
    expect(h.call("sock_connect_v2", SANDBOX, DATA, 80)).toBe(E.NOTSOCK);
    expect(h.call("sock_bind", SANDBOX, DATA + 2, 80)).toBe(E.ADDRNOTAVAIL);
    expect(h.call("sock_bind", SANDBOX, OUTSIDE, 80)).toBe(E.FAULT);
    view.setUint32(RESULT, 4, true);
    expect(h.call("sock_getsockopt", SANDBOX, 1, 0, DATA, RESULT)).toBe(E.INVAL); // SOL_SOCKET (0) only
    expect(h.call("sock_getsockopt", SANDBOX, 0, 15, DATA, RESULT)).toBe(E.INVAL);
    expect(h.call("sock_getsockopt", SANDBOX, 0, 0, DATA, RESULT + 2)).toBe(E.ADDRNOTAVAIL);
    expect(h.call("sock_getsockopt", SANDBOX, 0, 0, DATA, RESULT)).toBe(E.NOTSOCK);
  });
});

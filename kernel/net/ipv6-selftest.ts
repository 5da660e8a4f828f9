// IPv6 against a real network's router (selftest=ipv6, with `wisp run --net
// user` and ip=): the kernel's stack on the first network device takes its
// link-local address, solicits a router advertisement and takes a global
// address from its prefix, then pings the router (link-local, resolved by
// neighbor discovery) and the host's address in that prefix (QEMU's user
// network answers as ::2 of its prefix, fec0::/64 by default).

import { startNetwork, networkIpv6Address, networkPing6, networkLastEchoReply, networkEpoch, waitForNetwork, printNetworkReport, IPV6_LINK_LOCAL, IPV6_GLOBAL, IPV6_ROUTER } from "./index";
import { LINK_LOCAL_HIGH, isLinkLocal, loadHigh, loadLow, storeAddress } from "./ipv6-address";
import { beginSelfTest, check, endSelfTest } from "../selftest/check";
import { now } from "../time/index";

const SECOND: u64 = 1_000_000_000;
const ANSWER_WAIT: u64 = 10 * SECOND;
const HOST_LOW: u64 = 0x0200_0000_0000_0000; // ::2 of a /64
const IDENTIFIER: u32 = 0x6006;

/** Waits until `which` address exists (or ANSWER_WAIT passes), with it written at `into`. */
function waitForAddress(which: u32, into: usize): bool {
  const limit = now() + ANSWER_WAIT;
  while (true) {
    const epoch = networkEpoch();
    if (networkIpv6Address(which, into)) return true;
    if (now() >= limit) return false;
    waitForNetwork(min<u64>(limit, now() + SECOND / 10), epoch);
  }
}

/** Pings `address` and waits for the reply to `sequence` (or ANSWER_WAIT). */
function pinged(address: usize, sequence: u32): bool {
  const expected = (IDENTIFIER << 16) | sequence;
  if (networkPing6(address, IDENTIFIER, sequence, 56) < 0) return false;
  const limit = now() + ANSWER_WAIT;
  while (true) {
    const epoch = networkEpoch();
    if (networkLastEchoReply() == expected) return true;
    if (now() >= limit) return false;
    waitForNetwork(min<u64>(limit, now() + SECOND / 10), epoch);
  }
}

export function runIpv6SelfTest(probe: () => void): bool {
  beginSelfTest();
  probe();
  check("the network starts (ip= is given)", startNetwork() == 0);
  const address = heap.alloc(16);
  check("a link-local address at once", networkIpv6Address(IPV6_LINK_LOCAL, address) && loadHigh(address) == LINK_LOCAL_HIGH);
  const global = waitForAddress(IPV6_GLOBAL, address);
  check("a global address from a router advertisement", global && !isLinkLocal(loadHigh(address)));
  const prefix = loadHigh(address);
  const router = heap.alloc(16);
  check("a default router, link-local", networkIpv6Address(IPV6_ROUTER, router) && isLinkLocal(loadHigh(router)));
  check("the router answers an echo request", global && pinged(router, 1));
  storeAddress(address, prefix, HOST_LOW);
  check("the host's address in the prefix answers one", global && pinged(address, 2));
  heap.free(address);
  heap.free(router);
  printNetworkReport();
  return endSelfTest("ipv6");
}

// The host-test harness's part for the DNS stub resolver's I/O-free half
// (kernel/net/dns-*.ts, kernel/net/address-text.ts): queries are written
// into a buffer the test owns; replies the test writes are read into a
// DnsReply, and caches are made and freed, by handle (the object's address,
// so the tests decide when each is freed and can count memory). Strings
// passed in are consumed.

import { dnsWriteQuery, dnsWriteTcpQuery, dnsReadTcpLength, dnsReadReply, DnsReply } from "../../../kernel/net/dns-message";
import { DnsCache } from "../../../kernel/net/dns-cache";
import { numericAddress } from "../../../kernel/net/address-text";
import { dnsErrorName } from "../../../kernel/net/dns-codes";

export function dnsQuery(buffer: usize, capacity: u32, id: u32, name: string, type: u32): i32 {
  const result = dnsWriteQuery(buffer, capacity, id, name, type);
  heap.free(changetype<usize>(name));
  return result;
}

export function dnsTcpQuery(buffer: usize, capacity: u32, id: u32, name: string, type: u32): i32 {
  const result = dnsWriteTcpQuery(buffer, capacity, id, name, type);
  heap.free(changetype<usize>(name));
  return result;
}

export function dnsTcpLength(prefix: usize): u32 {
  return dnsReadTcpLength(prefix);
}

/** A fresh DnsReply's handle. */
export function dnsReplyNew(): usize {
  return changetype<usize>(new DnsReply());
}

export function dnsReplyFree(reply: usize): void {
  changetype<DnsReply>(reply).free();
}

export function dnsRead(reply: usize, message: usize, length: u32, id: u32, name: string, type: u32): i32 {
  const result = dnsReadReply(message, length, id, name, type, changetype<DnsReply>(reply));
  heap.free(changetype<usize>(name));
  return result;
}

/** One of a DnsReply's numbers: 0 count, 1 addressBytes, 2 ttl, 3 negativeTtl, 4 rcode, 5 aliases. */
export function dnsReplyField(reply: usize, which: i32): i64 {
  const r = changetype<DnsReply>(reply);
  if (which == 0) return <i64>r.count;
  if (which == 1) return <i64>r.addressBytes;
  if (which == 2) return <i64>r.ttl;
  if (which == 3) return r.negativeTtl;
  if (which == 4) return <i64>r.rcode;
  return <i64>r.aliases;
}

/** Copies the i-th address to `into`; its TTL. */
export function dnsReplyAddress(reply: usize, i: u32, into: usize): u32 {
  const r = changetype<DnsReply>(reply);
  memory.copy(into, r.address(i), r.addressBytes);
  return r.ttlOf(i);
}

export function dnsReplyIpv4(reply: usize, i: u32): u32 {
  return changetype<DnsReply>(reply).ipv4(i);
}

export function dnsCacheNew(entries: u32): usize {
  return changetype<usize>(new DnsCache(entries));
}

export function dnsCacheFree(cache: usize): void {
  changetype<DnsCache>(cache).free();
}

export function dnsCacheLookup(cache: usize, name: string, type: u32, now: u64, into: usize, room: u32): i32 {
  const result = changetype<DnsCache>(cache).lookup(name, type, now, into, room);
  heap.free(changetype<usize>(name));
  return result;
}

export function dnsCacheStoreAddresses(cache: usize, name: string, type: u32, addresses: usize, count: u32, ttl: u32, now: u64): i32 {
  const result = changetype<DnsCache>(cache).storeAddresses(name, type, addresses, count, ttl, now);
  heap.free(changetype<usize>(name));
  return result;
}

export function dnsCacheStoreNegative(cache: usize, name: string, type: u32, noSuchName: bool, ttl: u32, now: u64): i32 {
  const result = changetype<DnsCache>(cache).storeNegative(name, type, noSuchName, ttl, now);
  heap.free(changetype<usize>(name));
  return result;
}

export function dnsCacheLive(cache: usize, now: u64): u32 {
  return changetype<DnsCache>(cache).live(now);
}

export function dnsNumeric(name: string, into: usize): u32 {
  const result = numericAddress(name, into);
  heap.free(changetype<usize>(name));
  return result;
}

export function dnsErrorText(code: i32): string {
  return dnsErrorName(code);
}

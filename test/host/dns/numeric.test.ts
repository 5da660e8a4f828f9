// Guards kernel/net/address-text.ts: names that are numeric addresses
// (dotted quads through config.ts's parseAddress, IPv6 text with "::"
// compression and a dotted-quad tail) give their exact bytes; near misses
// (too many or too few groups, two "::", 5-digit groups, stray ':',
// zones, brackets, short IPv4 forms, host names) are not numeric.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";

const harness = await Harness.create();
beforeEach(() => harness.resetArena());

/** [family, the address's bytes as hex]. */
function numeric(name: string): [number, string] {
  harness.bytes().fill(0xee, SCRATCH, SCRATCH + 16);
  const family = harness.exports.dnsNumeric(harness.newString(name), SCRATCH);
  const length = family === 4 ? 4 : family === 6 ? 16 : 0;
  return [family, Buffer.from(harness.bytes().slice(SCRATCH, SCRATCH + length)).toString("hex")];
}

describe("numeric addresses in names", () => {
  it("reads dotted quads", () => {
    expect(numeric("10.0.2.2")).toEqual([4, "0a000202"]);
    expect(numeric("255.255.255.255")).toEqual([4, "ffffffff"]);
    expect(numeric("0.0.0.0")).toEqual([4, "00000000"]);
  });

  it("reads IPv6 text in each form", () => {
    const cases: [string, string][] = [
      ["2001:db8:85a3:0:0:8a2e:370:7334", "20010db885a3000000008a2e03707334"],
      ["2001:0DB8:85A3:0000:0000:8A2E:0370:7334", "20010db885a3000000008a2e03707334"],
      ["2001:db8:85a3::8a2e:370:7334", "20010db885a3000000008a2e03707334"],
      ["::", "00000000000000000000000000000000"],
      ["::1", "00000000000000000000000000000001"],
      ["1::", "00010000000000000000000000000000"],
      ["fe80::1:2", "fe800000000000000000000000010002"],
      ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
      ["::2:3:4:5:6:7:8", "00000002000300040005000600070008"],
      ["::ffff:10.0.2.2", "00000000000000000000ffff0a000202"],
      ["64:ff9b::192.0.2.33", "0064ff9b0000000000000000c0000221"],
      ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
    ];
    for (const [text, hex] of cases) expect([text, numeric(text)]).toEqual([text, [6, hex]]);
  });

  it("leaves near misses and host names to DNS", () => {
    const misses = [
      "", "example.com", "10.0.2", "10.0.2.256", "10.0.2.2.", "1.2.3.04x", "0x0a.0.0.1", "10..2.2",
      "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "1:",
      ":", "12345::1", "g::1", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4",
      "::ffff:1.2.3", "1:2:3:4:5:6:7:8:1.2.3.4", "a.b.c.d",
    ];
    for (const name of misses) expect([name, numeric(name)]).toEqual([name, [0, ""]]);
  });
});

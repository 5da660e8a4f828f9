// Timing the peers in one interleaved run: one boot of each first, untimed
// (QEMU's files reach the page cache, a broken row fails before the long
// part), then `runs` rounds in which every peer boots once. Each round starts
// one peer further along the list, so no peer always follows the same one
// or always goes first on a machine that has just been idle.

import type { Peer } from "./peer";

/** The order of the peers in round `round` (0-based): the list rotated by the round. */
export function roundOrder<T>(peers: readonly T[], round: number): T[] {
  const start = round % peers.length;
  return [...peers.slice(start), ...peers.slice(0, start)];
}

async function timedBoot(peer: Peer): Promise<number> {
  const result = await peer.boot();
  if (!result.ok) throw new Error(`${peer.name} did not boot: ${result.why}\ncommand: ${peer.commandLine}`);
  return result.wallMs;
}

/** Host wall times (ms) of every peer, by name, over `runs` interleaved rounds. */
export async function interleavedWallTimes(peers: readonly Peer[], runs: number, log: (line: string) => void): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(peers.map((peer) => [peer.name, []]));
  for (const peer of peers) {
    log(`peers: first boot of ${peer.name} (untimed)`);
    await timedBoot(peer);
  }
  for (let round = 0; round < runs; round++) {
    log(`peers: round ${round + 1} of ${runs}`);
    for (const peer of roundOrder(peers, round)) times.get(peer.name)!.push(await timedBoot(peer));
  }
  return times;
}

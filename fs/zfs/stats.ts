// Counters of one mounted pool, kept inside the module (ABI v1 has no call
// to ask for them) and logged when the volume is unmounted.

export class Stats {
  /** device_read calls, and the bytes they asked for. */
  deviceReads: u64 = 0;
  bytesRead: u64 = 0;
  /** Blocks asked for, and how many the cache answered. */
  blockReads: u64 = 0;
  cacheHits: u64 = 0;
  /** Copies that failed their checksum (another copy may have been good). */
  checksumErrors: u64 = 0;
  /** Blocks whose every copy was bad: the caller got EIO. */
  unreadableBlocks: u64 = 0;
  /** device_read calls that failed. */
  deviceErrors: u64 = 0;

  summary(): string {
    return "reads " + this.blockReads.toString() + " (cache hits " + this.cacheHits.toString() + "), device reads " +
      this.deviceReads.toString() + " (" + this.bytesRead.toString() + " bytes, " + this.deviceErrors.toString() + " failed), checksum errors " +
      this.checksumErrors.toString() + ", unreadable blocks " + this.unreadableBlocks.toString();
  }
}

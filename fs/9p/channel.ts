// What a 9p session needs from its transport: a few request slots, each with
// a buffer for the T-message and one for the R-message's head, and a way to
// send a request with an optional payload after it (Twrite's data) and
// receive a reply with an optional payload place after its head (Rread's
// and Rreaddir's data, which then land where the caller wants them, without
// a copy). The virtio-9p device is one (virtio-channel.ts); the host tests
// give another, backed by a 9p server in Node.

export class NinePChannel {
  /** The mount tag the channel was found by. */
  tag: string = "";
  /** Bytes of each slot's request and reply buffers. */
  slotBytes: u32 = 0;

  /** Takes a free slot, waiting if all are busy; its index, or -EIO if the channel failed. */
  acquire(): i32 {
    return unreachable();
  }

  release(slot: u32): void {
    unreachable();
  }

  /** Where slot `slot` builds its T-message. */
  request(slot: u32): usize {
    return unreachable();
  }

  /** Where slot `slot`'s R-message (or its head) lands. */
  reply(slot: u32): usize {
    return unreachable();
  }

  /** The session is over: give back what the channel object holds (the object itself is freed after). */
  close(): void {}

  /**
   * Sends slot `slot`'s `length`-byte request, then `sendLength` bytes at
   * `send`; the reply's first `replyRoom` bytes go to the slot's reply
   * buffer, the rest to `receive` (`receiveLength` bytes at most). Returns
   * the reply's whole length, or -EIO.
   */
  transact(slot: u32, length: u32, send: usize, sendLength: u32, replyRoom: u32, receive: usize, receiveLength: u32): i64 {
    return unreachable();
  }
}

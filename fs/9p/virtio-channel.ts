// The 9p channel over a virtio-9p device (drivers/virtio/9p.ts).

import { VirtioNinePDevice, SLOT_BYTES } from "../../drivers/virtio/9p";
import { NinePChannel } from "./channel";

export class VirtioChannel extends NinePChannel {
  constructor(public device: VirtioNinePDevice) {
    super();
    this.tag = device.tag;
    this.slotBytes = SLOT_BYTES;
  }

  acquire(): i32 {
    return this.device.acquire();
  }

  release(slot: u32): void {
    this.device.release(slot);
  }

  request(slot: u32): usize {
    return this.device.slots[slot].request;
  }

  reply(slot: u32): usize {
    return this.device.slots[slot].reply;
  }

  transact(slot: u32, length: u32, send: usize, sendLength: u32, replyRoom: u32, receive: usize, receiveLength: u32): i64 {
    return this.device.transact(slot, length, send, sendLength, replyRoom, receive, receiveLength);
  }
}

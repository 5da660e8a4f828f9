// A 9P2000.L session over one virtio-9p device: Tversion agrees on the
// largest message (msize, at most the channel's buffers) and the protocol,
// then Tattach gives fid 0 for the root of the host's tree. What the
// session learnt (msize, the root's qid) stays with it for the filesystem
// built on top (the next step of the 9p work).

import { MessageWriter, MessageReader, Qid, HEADER_BYTES } from "./message";
import { writeVersion, writeAttach, readVersion, readAttach } from "./requests";
import { VirtioNinePDevice, CHANNEL_BYTES } from "../../drivers/virtio/9p";
import { fail } from "../../kernel/failure";
import { EIO } from "../../kernel/errno";

/** The fid the root is attached as. */
export const ROOT_FID: u32 = 0;

export class NinePSession {
  msize: u32 = 0;
  root: Qid = new Qid();
  private nextTag: u32 = 1;

  constructor(public device: VirtioNinePDevice) {}

  /** Sends what `build` wrote into the request buffer and reads the reply; the reply's length or -EIO. */
  private exchange(length: u32): i64 {
    if (length == 0) return -EIO;
    return this.device.transact(length);
  }

  /** Version and attach (as `uname`, uid `uid`); 0, or -errno with what went wrong (kernel/failure.ts). */
  connect(uname: string, uid: u32): i32 {
    const taken = this.device.acquire();
    if (taken < 0) return fail(EIO, "9p " + this.device.tag + ": the device does not answer");
    const result = this.handshake(uname, uid);
    this.device.release();
    return result;
  }

  private handshake(uname: string, uid: u32): i32 {
    const writer = new MessageWriter(this.device.request, CHANNEL_BYTES);
    let got = this.exchange(writeVersion(writer, CHANNEL_BYTES));
    if (got < <i64>HEADER_BYTES) return fail(EIO, "9p " + this.device.tag + ": no reply to Tversion");
    const msize = readVersion(new MessageReader(this.device.reply, <u32>got), CHANNEL_BYTES);
    if (msize < 0) return fail(<i32>-msize, "9p " + this.device.tag + ": Tversion refused (errno " + (-msize).toString() + ")");
    this.msize = <u32>msize;
    const tag = this.nextTag++;
    got = this.exchange(writeAttach(writer, tag, ROOT_FID, uname, "", uid));
    if (got < <i64>HEADER_BYTES) return fail(EIO, "9p " + this.device.tag + ": no reply to Tattach");
    const attached = readAttach(new MessageReader(this.device.reply, <u32>got), tag, this.root);
    if (attached < 0) return fail(-attached, "9p " + this.device.tag + ": Tattach refused (errno " + (-attached).toString() + ")");
    return 0;
  }
}

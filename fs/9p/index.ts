// The 9p filesystem's front door: a host directory shared live over a
// 9P2000.L channel (QEMU's `-fsdev local` behind a virtio-9p device).
// fstab names one by its device's mount tag: `9p TAG PATH [ro]`.
//
//   makeNineP(tag, readOnly)   the filesystem maker registered as "9p"
//   openNineP(channel, ...)    the same over any channel (the host tests')
//
// One mount per device at a time (session.ts says why).

import { EINVAL, ENODEV } from "../../kernel/errno";
import { fail } from "../../kernel/failure";
import { ninePDevice, ninePDevices } from "../../drivers/virtio/9p";
import { probeVirtio } from "../../drivers/virtio/index";
import { FileSystem } from "../vfs/module";
import { NinePChannel } from "./channel";
import { VirtioChannel } from "./virtio-channel";
import { NinePSession } from "./session";
import { NineFileSystem } from "./node";

export { NinePChannel } from "./channel";
export { NineFileSystem } from "./node";

/** A 9p filesystem on the virtio-9p device with mount tag `tag`, or null with the reason (kernel/failure.ts). */
export function makeNineP(tag: string, readOnly: bool): FileSystem | null {
  if (tag.length == 0) {
    fail(EINVAL, "9p needs the mount tag of its device: '9p TAG PATH'");
    return null;
  }
  probeVirtio();
  const device = ninePDevice(tag);
  if (device === null) {
    fail(ENODEV, "no virtio-9p device has mount tag '" + tag + "' (" + deviceTags() + ")");
    return null;
  }
  return openNineP(new VirtioChannel(device!), readOnly);
}

/** A 9p filesystem over `channel` (which it then owns), version and attach done; or null with the reason. */
export function openNineP(channel: NinePChannel, readOnly: bool): NineFileSystem | null {
  const session = new NinePSession(channel);
  if (session.connect("root", 0) < 0) {
    session.close();
    return null; // the session recorded why
  }
  return new NineFileSystem(session, readOnly);
}

function deviceTags(): string {
  const devices = ninePDevices();
  if (devices.length == 0) return "there is no virtio-9p device";
  const tags = new Array<string>();
  for (let i = 0; i < devices.length; i++) tags.push("'" + devices[i].tag + "'");
  return "found: " + tags.join(", ");
}

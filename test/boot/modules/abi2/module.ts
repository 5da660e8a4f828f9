// A filesystem module built for a module ABI this kernel does not speak
// (version 2), for the boot test of load refusals
// (test/boot/fs-modules.test.ts): the kernel must refuse it at load,
// naming both versions, before calling anything else.

import { serve, Volume, Attributes } from "../../../../fs/sdk";
export {
  wisp_buffer, fs_mount, fs_unmount, fs_root, fs_lookup, fs_getattr, fs_read, fs_readdir, fs_readlink,
} from "../../../../fs/sdk/exports";

export function wisp_abi_version(): i32 {
  return 2;
}

class EmptyVolume extends Volume {
  mount(source: string, readOnly: bool): i32 {
    return 0;
  }
  root(): i64 {
    return 1;
  }
  getattr(inode: i64, out: Attributes): i32 {
    out.type = 2;
    out.mode = 0o555;
    return 0;
  }
}

serve((): Volume => new EmptyVolume());

// zdb (zfs-fuse's) as a checker of pool images: `zdb -e -bcc` traverses every
// block, verifies every checksum and compares the blocks with the space maps
// (no leaked or doubly allocated space). It needs zfs-fuse's daemon running
// (withZfsFuse) and finds the pool among the images in the image's folder.

import { spawnSync } from "node:child_process";
import { dirname } from "node:path";

export interface ZdbVerdict {
  /** The checks all passed: exit status 0, "No leaks", and no error or leak reported. */
  clean: boolean;
  output: string;
}

/** Runs `zdb -e -p FOLDER -bcc POOL` for the pool `pool` on `image`. */
export function zdbCheck(image: string, pool: string): ZdbVerdict {
  const result = spawnSync("zdb", ["-e", "-p", dirname(image), "-bcc", pool], { encoding: "utf8" });
  const output = result.stdout + result.stderr;
  const clean = result.status === 0 && output.includes("No leaks (block sum matches space maps exactly)") && !/error|fail|leaked space|mismatch/i.test(output);
  return { clean, output };
}

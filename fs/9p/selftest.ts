// The 9p self-test (`selftest=9p`, test profile): every virtio-9p device
// gets a session (Tversion, Tattach) and must give a directory for the root.
// Prints, for the host to compare (test/boot/ninep.test.ts):
//
//   9p: <tag> msize <n> root <directory|not a directory>
//
// then the usual `selftest 9p: N passed, M failed`.

import { printLine } from "../../kernel/console";
import { beginSelfTest, check, endSelfTest } from "../../kernel/selftest/check";
import { failureDetail } from "../../kernel/failure";
import { ninePDevices } from "../../drivers/virtio/9p";
import { NinePSession } from "./session";

const QID_DIRECTORY: u8 = 0x80;

/** The self-test, over every 9p device registered after `probe` (the device probe) ran. */
export function runNinePSelfTest(probe: () => void): bool {
  beginSelfTest();
  probe();
  const devices = ninePDevices();
  check("9p: a virtio-9p device was found", devices.length > 0);
  for (let i = 0; i < devices.length; i++) {
    const session = new NinePSession(devices[i]);
    const result = session.connect("root", 0);
    if (result < 0) printLine("9p: " + failureDetail(result));
    check("9p: version and attach on " + devices[i].tag, result == 0);
    if (result < 0) continue;
    const directory = (session.root.type & QID_DIRECTORY) != 0;
    printLine("9p: " + devices[i].tag + " msize " + session.msize.toString() + " root " + (directory ? "directory" : "not a directory"));
    check("9p: the root of " + devices[i].tag + " is a directory", directory);
  }
  return endSelfTest("9p");
}

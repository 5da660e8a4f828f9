// The 9p self-test (`selftest=9p`, test profile): every virtio-9p device
// gets a session (Tversion, Tattach) and must give a directory for the root
// and the size of the host's filesystem (Tstatfs); then requests from
// several threads at once must all be answered.
// Prints, for the host to compare (test/boot/ninep.test.ts):
//
//   9p: <tag> msize <n> root <directory|not a directory>
//   9p: <tag> <n> threads x <m> requests answered
//
// then the usual `selftest 9p: N passed, M failed`.

import { printLine } from "../../kernel/console";
import { beginSelfTest, check, endSelfTest } from "../../kernel/selftest/check";
import { failureDetail } from "../../kernel/failure";
import { spawn, join, Thread } from "../../kernel/sched/index";
import { ninePDevices } from "../../drivers/virtio/9p";
import { NinePSession } from "./session";
import { VirtioChannel } from "./virtio-channel";
import { QID_DIRECTORY, Qid } from "./message";
import { Attributes } from "./requests";
import { SpaceStat } from "../vfs/module";
import { ROOT_FID } from "./session";
import * as calls from "./operations";

const THREADS: i32 = 4;
const REQUESTS_PER_THREAD: i32 = 50;

let shared: NinePSession | null = null;
let answered: i32 = 0;

/** The self-test, over every 9p device registered after `probe` (the device probe) ran. */
export function runNinePSelfTest(probe: () => void): bool {
  beginSelfTest();
  probe();
  const devices = ninePDevices();
  check("9p: a virtio-9p device was found", devices.length > 0);
  for (let i = 0; i < devices.length; i++) {
    const session = new NinePSession(new VirtioChannel(devices[i]));
    const result = session.connect("root", 0);
    if (result < 0) printLine("9p: " + failureDetail(result));
    check("9p: version and attach on " + devices[i].tag, result == 0);
    if (result < 0) continue;
    const directory = (session.root.type & QID_DIRECTORY) != 0;
    printLine("9p: " + devices[i].tag + " msize " + session.msize.toString() + " root " + (directory ? "directory" : "not a directory"));
    check("9p: the root of " + devices[i].tag + " is a directory", directory);
    const space = new SpaceStat();
    check("9p: the host's filesystem under " + devices[i].tag + " has a size", calls.statfs(session, ROOT_FID, space) == 0 && space.blockSize > 0 && space.blocks > 0);
    heap.free(changetype<usize>(space));
    checkConcurrentRequests(session, devices[i].tag);
  }
  return endSelfTest("9p");
}

/** THREADS threads each walk, getattr and clunk REQUESTS_PER_THREAD times on one session. */
function checkConcurrentRequests(session: NinePSession, tag: string): void {
  shared = session;
  answered = 0;
  const threads = new Array<Thread>();
  for (let i = 0; i < THREADS; i++) {
    const thread = spawn("9p-test", askRepeatedly, 0);
    if (thread !== null) threads.push(thread);
  }
  for (let i = 0; i < threads.length; i++) join(threads[i]);
  printLine("9p: " + tag + " " + THREADS.toString() + " threads x " + REQUESTS_PER_THREAD.toString() + " requests answered " + answered.toString());
  check("9p: every request from " + THREADS.toString() + " threads answered", answered == THREADS * REQUESTS_PER_THREAD);
  check("9p: no fid left behind but the root", session.liveFids == 1);
}

function askRepeatedly(argument: usize): void {
  const session = shared!;
  const qid = new Qid();
  const attributes = new Attributes();
  for (let i = 0; i < REQUESTS_PER_THREAD; i++) {
    const fid = calls.walk(session, 0, null, qid);
    if (fid < 0) continue;
    if (calls.getattr(session, <u32>fid, attributes) == 0 && calls.clunk(session, <u32>fid) == 0) answered++;
  }
  heap.free(changetype<usize>(qid));
  heap.free(changetype<usize>(attributes));
}

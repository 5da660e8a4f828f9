// random_get: bytes from the kernel's generator (kernel/random.ts), moved
// to app memory through the bounce buffer. NOSYS when the machine has no
// source of randomness: never made-up bytes.

import { getRandom } from "../../kernel/random";
import { ERRNO_SUCCESS, ERRNO_FAULT, errnoOf } from "./errno";
import { bounce, BOUNCE_BYTES, inRange } from "./memory";
import { copyOut } from "../app-memory";

export function randomGet(buffer: u32, length: u32): u32 {
  if (!inRange(buffer, length, 1)) return ERRNO_FAULT;
  const staging = bounce();
  let done: u32 = 0;
  while (done < length) {
    const chunk = min<u32>(length - done, <u32>BOUNCE_BYTES);
    const result = getRandom(staging, <usize>chunk);
    if (result < 0) return errnoOf(result);
    copyOut(buffer + done, staging, chunk);
    done += chunk;
  }
  memory.fill(staging, 0, BOUNCE_BYTES);
  return ERRNO_SUCCESS;
}

// The module's boundary with the kernel: the "wisp" imports it uses, from
// the SDK (fs/sdk/kernel.ts), whose abort handler (asc --use
// abort=fs/sdk/kernel/moduleAbort) logs and traps, so that the kernel marks
// the module broken instead of the module importing `env.abort`.

export { deviceCount, deviceSize, deviceRead, deviceWrite, deviceFlush, log, timeNow } from "../sdk/kernel";

// The module author's side of the filesystem module ABI (docs/modules.md):
// extend Volume, hand a maker to serve(), and re-export the ABI from the
// entry file:
//
//   import { serve, Volume } from "../sdk";
//   class MyVolume extends Volume { ... }
//   serve((): Volume => new MyVolume());
//   export * from "../sdk/exports";
//
// A module built on this SDK runs with AssemblyScript's standard runtime in
// its own linear memory; nothing here is shared with the kernel.

export { Volume, Attributes, DirectoryEntry } from "./volume";
export { serve, takeSettings, reportWith } from "./volumes";
export { log, deviceCount, deviceSize, deviceRead, deviceWrite, deviceFlush, timeNow } from "./kernel";
export * from "./errno";

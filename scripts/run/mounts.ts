// `wisp run APP.wasm --mount TYPE:SOURCE:GUEST`: the app gets a filesystem
// served by a filesystem module (docs/modules.md) as a preopened directory.
// The image carries the module as /lib/modules/TYPE.so (built from
// fs/TYPE/module.ts, or from the --fs-module that serves TYPE), a mount point
// /.wisp/fs/N and the fstab line `TYPE SOURCE /.wisp/fs/N`; the app sees
// that directory as GUEST. SOURCE says what to mount (ZFS: POOL or
// POOL/DATASET) and may be empty (`TYPE::GUEST`, or `TYPE:GUEST`).

import type { Arch } from "../build/targets";
import { UsageError } from "../cli/errors";
import { buildModule, type BuildModuleResult } from "../module";
import { moduleSourceFor } from "../modules/filesystem-modules";

export interface AppMount {
  type: string;
  source: string;
  guest: string;
}

/** Parses --mount TYPE:SOURCE:GUEST or TYPE:GUEST. */
export function parseMount(option: string): AppMount {
  const first = option.indexOf(":");
  const last = option.lastIndexOf(":");
  if (first < 0) throw new UsageError(`--mount ${option}: expected TYPE:SOURCE:GUEST (e.g. zfs:tank/data:/data)`);
  const type = option.slice(0, first);
  const source = first === last ? "" : option.slice(first + 1, last);
  const guest = option.slice(last + 1);
  if (!/^[a-z0-9_-]{1,32}$/.test(type)) throw new UsageError(`--mount ${option}: '${type}' is not a filesystem type name`);
  if (/\s/.test(source)) throw new UsageError(`--mount ${option}: the source may not contain spaces`);
  if (!guest.startsWith("/")) throw new UsageError(`--mount ${option}: the guest path must be absolute`);
  return { type, source, guest: guest.length > 1 ? guest.replace(/\/+$/, "") : guest };
}

/** The kernel path of the Nth mount. */
export function mountPoint(index: number): string {
  return `/.wisp/fs/${index}`;
}

/** The fstab lines of the mounts. */
export function mountFstab(mounts: AppMount[]): string[] {
  return mounts.map((mount, index) => `${mount.type}${mount.source ? ` ${mount.source}` : ""} ${mountPoint(index)}`);
}

/** Builds the module of every type the mounts name: from a given --fs-module that serves it, else fs/TYPE. */
export async function mountModules(mounts: AppMount[], fsModules: string[], arch: Arch): Promise<BuildModuleResult[]> {
  const given = await Promise.all(fsModules.map((path) => buildModule(path, { arch })));
  const built: BuildModuleResult[] = [];
  for (const type of [...new Set(mounts.map((mount) => mount.type))]) {
    const module = given.find((candidate) => candidate.name === type);
    if (module !== undefined) {
      built.push(module);
      continue;
    }
    const source = moduleSourceFor(type);
    if (source === null) throw new UsageError(`--mount ${type}: no filesystem module serves '${type}' (fs/${type}/module.ts, or give one with --fs-module PATH)`);
    built.push(await buildModule(source, { arch }));
  }
  const unused = given.filter((module) => !built.includes(module));
  if (unused.length > 0) throw new UsageError(`--fs-module: no --mount names type ${unused.map((module) => module.name).join(", ")}`);
  return built;
}

// The run manifest an app image carries at /etc/app, written for the
// kernel's reader (loader/manifest.ts documents the format).

export interface Preopen {
  /** The name the app sees (its path), e.g. "/data" or "/". */
  guest: string;
  /** The kernel path it stands for. */
  kernel: string;
  /** A directory the kernel copies into a RAMFS mounted at `kernel` first, or undefined. */
  overlayFrom?: string;
}

export interface RunManifest {
  module: string;
  /** argv, argv[0] first. */
  argv: string[];
  /** NAME=VALUE entries. */
  env: string[];
  preopens: Preopen[];
  /** TCP ports the app gets listening sockets on (fd 3 onward, LISTEN_FDS), in order. */
  listens?: number[];
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeField(value: string): string {
  return escapeValue(value).replace(/ /g, "\\s");
}

export function runManifestText(manifest: RunManifest): string {
  const lines = [`module ${escapeValue(manifest.module)}`];
  for (const arg of manifest.argv) lines.push(`arg ${escapeValue(arg)}`);
  for (const variable of manifest.env) lines.push(`env ${escapeValue(variable)}`);
  for (const preopen of manifest.preopens) {
    const fields = [preopen.guest, preopen.kernel, ...(preopen.overlayFrom ? [preopen.overlayFrom] : [])];
    lines.push(`dir ${fields.map(escapeField).join(" ")}`);
  }
  for (const port of manifest.listens ?? []) lines.push(`listen ${port}`);
  return lines.join("\n") + "\n";
}

// What test/boot/apps/share.c prints, step by step: shared by the boot tests
// that run it on a shared host directory (ninep.test.ts) and on a ZFS pool
// (zfs-write.test.ts).

/** The steps share.c prints for `names`, in order (each "STEP: ok"). */
export const NAME_STEPS = [
  "create a.txt", "create b.txt", "create doomed.txt", "rename b.txt over a.txt", "mkdir sub", "mkdir sub/empty",
  "rmdir sub/empty", "rename a.txt to sub/moved.txt", "link sub/moved.txt to linked.txt", "the link counts two names",
  "symlink rel -> sub/moved.txt", "symlink abs -> /etc/passwd", "read through rel", "unlink doomed.txt",
  "truncate t.txt to 3", "append to t.txt", "set times of t.txt", "the times read back",
];

export function expectedOutput(mode: "names" | "write", host: string): string {
  const steps = [...NAME_STEPS.map((step) => `${step}: ok`), `host.txt: ${host.trimEnd()}`, "read host.txt: ok", "list sub: ok",
    "'..' out of /out is refused: ok", "following abs -> /etc/passwd is refused: ok", "a hard link out of /out is refused: ok",
    "following sub/up -> ../../outside is refused: ok"];
  if (mode === "write") steps.push("data past 4 GiB: ok", "write 64 MiB: ok", "read 64 MiB back: ok");
  return [...steps, "0 failed", ""].join("\n");
}

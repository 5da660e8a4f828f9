// Guards `wisp run --dir` (scripts/run/app.ts): HOST:GUEST is shared live
// over 9p (a virtio-9p device tagged wispN, mounted by the image's fstab at
// /.wisp/mnt/N, the preopen), HOST:GUEST:ro the same read-only, and
// HOST:GUEST:copy a RAMFS copy the app may change (preopen /.wisp/mnt/N
// filled from the image's /.wisp/dirs/N), HOST:GUEST:image the image's own
// ROFS copy preopened in place (/.wisp/dirs/N, no mount point).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appTree, directoryFstab, directoryShares, parseMappedDirectory, runManifest } from "../../scripts/run/app";
import { parseMount } from "../../scripts/run/mounts";
import type { DirectoryNode } from "../../scripts/image";

const host = mkdtempSync(join(tmpdir(), "wisp-run-dirs-"));
const notDirectory = join(host, "file");
writeFileSync(notDirectory, "x");

describe("wisp run --dir", () => {
  it("parses HOST:GUEST as live, :ro as read-only and :copy as a copy", () => {
    expect(parseMappedDirectory(`${host}:/data`)).toEqual({ host, guest: "/data", mode: "live" });
    expect(parseMappedDirectory(`${host}:/fixtures:ro`)).toEqual({ host, guest: "/fixtures", mode: "ro" });
    expect(parseMappedDirectory(`${host}:/scratch/:copy`)).toEqual({ host, guest: "/scratch", mode: "copy" });
    expect(parseMappedDirectory(`${host}:ro`)).toEqual({ host, guest: host, mode: "ro" });
    expect(parseMappedDirectory(host)).toEqual({ host, guest: host, mode: "live" });
    expect(parseMappedDirectory(`${host}:/rofs:image`)).toEqual({ host, guest: "/rofs", mode: "image" });
  });

  it("refuses what cannot be shared, before QEMU starts", () => {
    expect(() => parseMappedDirectory(`${host}:relative:ro`)).toThrow(/must be absolute/);
    expect(() => parseMappedDirectory(`${host}/missing:/data`)).toThrow(/does not exist/);
    expect(() => parseMappedDirectory(`${notDirectory}:/data`)).toThrow(/is not a directory/);
    expect(() => parseMappedDirectory(`${host}:/data,ro`)).toThrow(/HOST:GUEST:ro/);
  });

  it("mounts live directories over 9p through the image's fstab and copies only :copy and :image ones", () => {
    const request = {
      wasm: "app.wasm", arch: "x86_64" as const, args: [], env: [],
      dirs: [parseMappedDirectory(`${host}:/sandbox`), parseMappedDirectory(`${host}:/fixtures:ro`), parseMappedDirectory(`${host}:/scratch:copy`),
        parseMappedDirectory(`${host}:/rofs:image`)],
    };
    expect(runManifest(request)).toBe("module /app.so\narg app.wasm\ndir /sandbox /.wisp/mnt/0\ndir /fixtures /.wisp/mnt/1\n"
      + "dir /scratch /.wisp/mnt/2 /.wisp/dirs/2\ndir /rofs /.wisp/dirs/3\n");
    expect(directoryFstab(request)).toBe("# The app's directories (wisp run --dir, --mount).\n9p wisp0 /.wisp/mnt/0\n9p wisp1 /.wisp/mnt/1 ro\n");
    expect(directoryShares(request)).toEqual([{ path: host, tag: "wisp0", readOnly: false }, { path: host, tag: "wisp1", readOnly: true }]);
    const tree = appTree(new Uint8Array(0), request);
    const wisp = tree.children.get(".wisp") as DirectoryNode;
    expect([...(wisp.children.get("mnt") as DirectoryNode).children.keys()]).toEqual(["0", "1", "2"]);
    expect([...(wisp.children.get("dirs") as DirectoryNode).children.keys()]).toEqual(["2", "3"]);
    expect((tree.children.get("etc") as DirectoryNode).children.has("fstab")).toBe(true);
  });
});

describe("wisp run --mount", () => {
  it("parses TYPE:SOURCE:GUEST and TYPE:GUEST, and refuses the rest", () => {
    expect(parseMount("zfs:tank/data:/data")).toEqual({ type: "zfs", source: "tank/data", guest: "/data" });
    expect(parseMount("example::/ex/")).toEqual({ type: "example", source: "", guest: "/ex" });
    expect(parseMount("example:/ex")).toEqual({ type: "example", source: "", guest: "/ex" });
    expect(() => parseMount("zfs")).toThrow(/expected TYPE:SOURCE:GUEST/);
    expect(() => parseMount("ZFS:tank:/data")).toThrow(/not a filesystem type name/);
    expect(() => parseMount("zfs:tank:data")).toThrow(/must be absolute/);
    expect(() => parseMount("zfs:a b:/data")).toThrow(/spaces/);
  });

  it("mounts each at /.wisp/fs/N through the fstab, preopens it as GUEST and carries the modules given", () => {
    const request = {
      wasm: "app.wasm", arch: "x86_64" as const, args: [], env: [], dirs: [parseMappedDirectory(`${host}:/sandbox`)],
      mounts: [parseMount("zfs:tank/data:/data"), parseMount("example::/ex")],
    };
    expect(runManifest(request)).toBe("module /app.so\narg app.wasm\ndir /sandbox /.wisp/mnt/0\ndir /data /.wisp/fs/0\ndir /ex /.wisp/fs/1\n");
    expect(directoryFstab(request)).toBe("# The app's directories (wisp run --dir, --mount).\n9p wisp0 /.wisp/mnt/0\nzfs tank/data /.wisp/fs/0\nexample /.wisp/fs/1\n");
    const so = new Uint8Array([1, 2, 3]);
    const tree = appTree(new Uint8Array(0), request, [{ name: "zfs", so }, { name: "example", so }]);
    const modules = (tree.children.get("lib") as DirectoryNode).children.get("modules") as DirectoryNode;
    expect([...modules.children.keys()]).toEqual(["zfs.so", "example.so"]);
    const wisp = tree.children.get(".wisp") as DirectoryNode;
    expect([...(wisp.children.get("fs") as DirectoryNode).children.keys()]).toEqual(["0", "1"]);
  });
});

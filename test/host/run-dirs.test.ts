// Guards `wisp run --dir` (scripts/run/app.ts): HOST:GUEST becomes a RAMFS
// copy the app may change (preopen /.wisp/mnt/N filled from /.wisp/dirs/N),
// and HOST:GUEST,ro the image's own ROFS copy preopened in place
// (/.wisp/dirs/N, no mount point), which is what makes the conformance
// programs' /fixtures read-only.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appTree, parseMappedDirectory, runManifest } from "../../scripts/run/app";
import type { DirectoryNode } from "../../scripts/image";

const host = mkdtempSync(join(tmpdir(), "wisp-run-dirs-"));

describe("wisp run --dir", () => {
  it("parses HOST:GUEST as writable and HOST:GUEST,ro as read-only", () => {
    expect(parseMappedDirectory(`${host}:/data`)).toEqual({ host, guest: "/data", readOnly: false });
    expect(parseMappedDirectory(`${host}:/fixtures,ro`)).toEqual({ host, guest: "/fixtures", readOnly: true });
    expect(parseMappedDirectory(`${host},ro`)).toEqual({ host, guest: host, readOnly: true });
    expect(() => parseMappedDirectory(`${host}:relative,ro`)).toThrow(/must be absolute/);
  });

  it("preopens a writable directory as a RAMFS copy and a read-only one from the image in place", () => {
    const request = {
      wasm: "app.wasm", arch: "x86_64" as const, args: [], env: [],
      dirs: [parseMappedDirectory(`${host}:/sandbox`), parseMappedDirectory(`${host}:/fixtures,ro`)],
    };
    expect(runManifest(request)).toBe("module /app.so\narg app.wasm\ndir /sandbox /.wisp/mnt/0 /.wisp/dirs/0\ndir /fixtures /.wisp/dirs/1\n");
    const wisp = appTree(new Uint8Array(0), request).children.get(".wisp") as DirectoryNode;
    expect([...(wisp.children.get("mnt") as DirectoryNode).children.keys()]).toEqual(["0"]);
    expect([...(wisp.children.get("dirs") as DirectoryNode).children.keys()].sort()).toEqual(["0", "1"]);
  });
});

// Guards kernel/version.ts: the version the kernel prints (WISP_VERSION, as
// compiled) is the one package.json declares.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../compile";
import { Harness } from "../harness-client";

const harness = await Harness.create();

it("WISP_VERSION equals package.json's version", () => {
  const packageVersion = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
  expect(harness.string(harness.exports.version())).toBe(packageVersion);
});

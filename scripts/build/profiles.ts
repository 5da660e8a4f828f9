// Build profiles: small selector files in kernel/init/profiles/NAME.json,
// each a description and the compile-time constants it sets (asc --use).
// Profiles combine with "+" (test+cooperative: both sets of constants);
// `default` sets nothing. A kernel built with a profile lives in
// build/<arch>[-debug][-<profile id>]/, the id being the names other than
// default, sorted, joined with "+".

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./files";
import { UsageError } from "../cli/errors";

export const PROFILE_DIR = join(ROOT, "kernel/init/profiles");

export interface Profile {
  /** The selector names, sorted, without "default" (empty for the default profile). */
  names: string[];
  /** asc --use constants. */
  constants: Record<string, number>;
}

interface ProfileFile {
  description: string;
  constants: Record<string, number>;
}

/** The selector names kernel/init/profiles holds, default first. */
export function profileNames(): string[] {
  const names = readdirSync(PROFILE_DIR).filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -5)).sort();
  return ["default", ...names.filter((name) => name !== "default")];
}

export function profileDescription(name: string): string {
  return readProfileFile(name).description;
}

function readProfileFile(name: string): ProfileFile {
  const path = join(PROFILE_DIR, `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new UsageError(`unknown build profile '${name}' (expected ${profileNames().join(", ")}, or several joined with +)`);
  }
  return JSON.parse(readFileSync(path, "utf8")) as ProfileFile;
}

/** "default", "test", "test+cooperative", ... */
export function parseProfile(spec: string): Profile {
  const names = [...new Set(spec.split("+").map((name) => name.trim()))].filter((name) => name.length > 0);
  if (names.length === 0) throw new UsageError("--profile needs a profile name");
  const constants: Record<string, number> = {};
  for (const name of names) Object.assign(constants, readProfileFile(name).constants);
  return { names: names.filter((name) => name !== "default").sort(), constants };
}

/** The profile's id: "default", or its names joined with "+". */
export function profileId(profile: Profile): string {
  return profile.names.length ? profile.names.join("+") : "default";
}

/** The same profile with the test selector added (self-tests and benchmarks). */
export function withTests(profile: Profile): Profile {
  return profile.names.includes("test") ? profile : parseProfile([...profile.names, "test"].join("+"));
}

/** asc arguments for the profile's constants. */
export function profileFlags(profile: Profile): string[] {
  return Object.entries(profile.constants).flatMap(([name, value]) => ["--use", `${name}=${value}`]);
}

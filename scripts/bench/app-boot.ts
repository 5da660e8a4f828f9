// Booting an app image for a benchmark (console=streams): the kernel's
// messages, the app's stdout and its stderr apart, and the app's own exit
// status (null when the kernel sent none).

import { boot, BootRun } from "../run";
import { StreamDecoder } from "../run/streams";

export interface AppBoot {
  run: BootRun;
  kernel: string;
  stdout: string;
  stderr: string;
  status: number | null;
}

export async function bootApp(command: string[], timeout: number): Promise<AppBoot> {
  const text = { kernel: "", stdout: "", stderr: "" };
  const decoder = new StreamDecoder([
    (bytes) => void (text.kernel += Buffer.from(bytes).toString("latin1")),
    (bytes) => void (text.stdout += Buffer.from(bytes).toString("utf8")),
    (bytes) => void (text.stderr += Buffer.from(bytes).toString("utf8")),
  ]);
  const run = await boot(command, { timeout, stream: false, onOutput: (chunk) => decoder.push(chunk) });
  return { run, ...text, status: decoder.exitStatus };
}

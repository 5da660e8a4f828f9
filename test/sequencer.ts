// The order test files start in: the boot tier's first, then the host
// tier's, each as vitest orders them (by the last run's durations when
// it has them, else by size). Boot files take minutes each and host files
// seconds, so starting the long ones first leaves the short ones to fill
// both workers at the end, instead of a boot file running alone there.

import { BaseSequencer, type TestSpecification } from "vitest/node";

export default class BootTierFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const boot = (file: TestSpecification) => file.moduleId.includes("/test/boot/");
    return [...sorted.filter(boot), ...sorted.filter((file) => !boot(file))];
  }
}

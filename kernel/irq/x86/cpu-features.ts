// CPUID bits the interrupt controllers depend on, read once.
//
// CPUID.1:EDX bit 9   a local APIC exists
// CPUID.1:ECX bit 21  x2APIC: APIC registers as MSRs 0x800+
// CPUID.1:ECX bit 24  TSC-deadline timer mode (MSR 0x6e0)
// QEMU 7.2 under TCG reports an APIC but neither x2APIC nor TSC-deadline.

import { cpuid } from "../../../arch";

const registers = memory.data(16);

export class ApicFeatures {
  hasApic: bool = false;
  hasX2apic: bool = false;
  hasTscDeadline: bool = false;
}

export function readApicFeatures(): ApicFeatures {
  cpuid(1, 0, registers);
  const ecx = load<u32>(registers, 8);
  const edx = load<u32>(registers, 12);
  const features = new ApicFeatures();
  features.hasApic = (edx & (1 << 9)) != 0;
  features.hasX2apic = (ecx & (1 << 21)) != 0;
  features.hasTscDeadline = (ecx & (1 << 24)) != 0;
  return features;
}

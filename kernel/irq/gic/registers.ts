// GICv2 register offsets (ARM IHI 0048B): the distributor (GICD), shared by
// all CPUs, and the CPU interface (GICC), one per CPU at the same address.
// Per-interrupt registers are arrays: one bit (enable, pending, active,
// group), two bits (configuration) or one byte (priority, targets) per INTID.

// Distributor.
export const GICD_CTLR: usize = 0x000;
export const GICD_TYPER: usize = 0x004;
export const GICD_IGROUPR: usize = 0x080;
export const GICD_ISENABLER: usize = 0x100;
export const GICD_ICENABLER: usize = 0x180;
export const GICD_ISPENDR: usize = 0x200;
export const GICD_ICPENDR: usize = 0x280;
export const GICD_ICACTIVER: usize = 0x380;
export const GICD_IPRIORITYR: usize = 0x400;
export const GICD_ITARGETSR: usize = 0x800;
export const GICD_ICFGR: usize = 0xc00;

/** GICD_TYPER: ITLinesNumber, lines = 32 * (N + 1). */
export const GICD_TYPER_LINES_MASK: u32 = 0x1f;

// CPU interface.
export const GICC_CTLR: usize = 0x000;
export const GICC_PMR: usize = 0x004;
export const GICC_BPR: usize = 0x008;
export const GICC_IAR: usize = 0x00c;
export const GICC_EOIR: usize = 0x010;

/** GICC_PMR: the lowest priority; every interrupt with a higher one is signalled. */
export const GICC_PMR_OPEN: u32 = 0xff;
/** GICC_IAR: the INTID field; bits 12:10 name the CPU that sent an SGI. */
export const GICC_IAR_INTID_MASK: u32 = 0x3ff;

/** INTIDs: 0-15 SGIs, 16-31 PPIs (banked per CPU), 32 and up SPIs; 1020-1023 are special. */
export const FIRST_PPI: u32 = 16;
export const FIRST_SPI: u32 = 32;
export const FIRST_SPECIAL_INTID: u32 = 1020;

// Network devices, as the stack sees them. A driver (drivers/virtio/net.ts)
// extends NetworkDevice and registers it; the stack (kernel/net) sends
// Ethernet frames with transmit() and takes received ones with nextFrame()
// and releaseFrame(), from its own thread, which the driver wakes with
// wakeNetwork() when frames arrive (from its interrupt handler).
//
// Frames are whole Ethernet frames without the FCS: destination MAC,
// source MAC, EtherType, payload. The device adds and checks what the wire
// needs (virtio-net's header, checksums it offloads).

/** Six bytes of MAC address in the low 48 bits, first byte on the wire in bits 40..47. */
export type MacAddress = u64;

export class NetworkDevice {
  /** eth0, eth1, ... in registration order (set by registerNetworkDevice). */
  name: string = "";
  mac: MacAddress = 0;
  /** The largest IP packet a frame carries. */
  mtu: u32 = 1500;
  /** Frames dropped because no receive buffer was free, or a frame was malformed. */
  receiveDrops: u64 = 0;

  /**
   * Sends one frame of `length` bytes at `frame` (a kernel address; the
   * device copies it or is done with it when this returns): 0, -EAGAIN when
   * every transmit slot is in flight (the stack may retry later), -EIO when
   * the device failed.
   */
  transmit(frame: usize, length: u32): i32 {
    return unreachable();
  }

  /** The next received frame (a kernel address, `frameLength` bytes), or 0 when none is waiting. */
  nextFrame(): usize {
    return unreachable();
  }

  /** The length of the frame nextFrame() returned. */
  frameLength: u32 = 0;

  /** The stack is done with the frame nextFrame() returned: its buffer may take the next one. */
  releaseFrame(): void {
    unreachable();
  }

  /** Whether the link is up (virtio-net's status, or always). */
  get linkUp(): bool {
    return true;
  }
}

let devices: NetworkDevice[] | null = null;
let waker: (() => void) | null = null;

/** Registers a device (drivers call it when they bring one up); its name. */
export function registerNetworkDevice(device: NetworkDevice): string {
  if (devices === null) devices = [];
  device.name = "eth" + devices!.length.toString();
  devices!.push(device);
  return device.name;
}

/** The devices registered so far, in order. */
export function networkDevices(): NetworkDevice[] {
  return devices === null ? [] : devices!.slice(0);
}

/** The stack's wake-up (called with interrupts disabled, from an interrupt handler or a thread). */
export function useNetworkWaker(wake: () => void): void {
  waker = wake;
}

/** A driver received frames (or a transmit slot came free): wakes the stack's thread, if there is one. */
export function wakeNetwork(): void {
  const wake = waker;
  if (wake !== null) wake();
}

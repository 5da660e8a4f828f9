// Bringing a virtio device up (virtio 1.x, 3.1.1), whatever the transport:
//
//   reset -> ACKNOWLEDGE -> DRIVER -> features -> FEATURES_OK (read back)
//         -> queues and interrupt -> DRIVER_OK
//
// VIRTIO_F_VERSION_1 is required: a device that does not offer it is a
// legacy device and is refused. Errors leave the device with FAILED set
// and come back as a message naming what went wrong.

import { fail } from "../../kernel/failure";
import { ENODEV, ENOMEM } from "../../kernel/errno";
import { Virtqueue, MAX_QUEUE_SIZE } from "./queue";
import {
  VirtioTransport, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FEATURES_OK, STATUS_FAILED,
} from "./transport";

export const FEATURE_VERSION_1: u64 = 1 << 32;

/**
 * Resets the device and agrees on features: the device's offer, limited to
 * `wanted` (VERSION_1 is always wanted and required). The agreed set is in
 * transport.features. Returns 0, or -ENODEV with what went wrong (kernel/failure.ts).
 */
export function negotiate(transport: VirtioTransport, wanted: u64): i32 {
  if (!transport.reset()) return fail(ENODEV, "the device did not reset");
  transport.setStatus(STATUS_ACKNOWLEDGE);
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
  const offered = transport.deviceFeatures();
  if ((offered & FEATURE_VERSION_1) == 0) {
    return failDevice(transport, ENODEV, "a legacy device (no VIRTIO_F_VERSION_1): Wisp drives virtio 1.x devices only");
  }
  transport.features = offered & (wanted | FEATURE_VERSION_1);
  transport.setDriverFeatures(transport.features);
  transport.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
  if ((transport.status() & STATUS_FEATURES_OK) == 0) return failDevice(transport, ENODEV, "the device refused the features offered back");
  return 0;
}

/**
 * Makes queue `index` with up to `wantedSize` entries (a power of two, at
 * most what the device allows); null, the reason recorded (kernel/failure.ts
 * lastFailure), if it cannot be. The device learns of it in startQueue, once
 * its interrupt is attached (virtio-pci names the queue's MSI-X entry then).
 */
export function createQueue(transport: VirtioTransport, index: u32, wantedSize: u32): Virtqueue | null {
  const maximum = transport.queueMaxSize(index);
  if (maximum == 0) {
    failDevice(transport, ENODEV, "the device has no queue " + index.toString());
    return null;
  }
  let size: u32 = 1;
  while (size * 2 <= min<u32>(min<u32>(maximum, wantedSize), MAX_QUEUE_SIZE)) size *= 2;
  const queue = new Virtqueue(index, size);
  if (!queue.allocate()) {
    failDevice(transport, ENOMEM, "out of memory for queue " + index.toString());
    return null;
  }
  return queue;
}

/** Hands `queue`'s areas to the device and enables it; 0, or -ENODEV with the reason. */
export function startQueue(transport: VirtioTransport, queue: Virtqueue): i32 {
  if (transport.enableQueue(queue.index, queue.size, <u64>queue.descriptors, <u64>queue.available, <u64>queue.used)) return 0;
  return failDevice(transport, ENODEV, "the device did not take queue " + queue.index.toString());
}

/** Tells the device the driver is ready: from here on it may use its queues. */
export function markReady(transport: VirtioTransport): bool {
  transport.setStatus(transport.status() | STATUS_DRIVER_OK);
  return (transport.status() & STATUS_FAILED) == 0;
}

/** Sets the device's FAILED status and records why (kernel/failure.ts); returns -errno. */
export function failDevice(transport: VirtioTransport, errno: i32, message: string): i32 {
  transport.setStatus(transport.status() | STATUS_FAILED);
  return fail(errno, message);
}

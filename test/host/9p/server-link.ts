// Connects a 9p server in Node (FakeNinePServer) to the harness's 9p channel
// (9p/harness.ts HostChannel): each request's bytes, its head and any
// payload after it, go to the server, and the reply comes back split as a
// virtio-9p device would write it: its first replyRoom bytes into the slot's
// reply buffer, the rest into the payload place. `mutate` may change a reply
// on its way (the fuzz tests' broken server); a reply that does not fit
// where it must go fails the request (-EIO), as the device does.

import type { Harness } from "../harness-client";
import { FakeNinePServer } from "./fake-server";

const EIO = 5;

export interface ServerLink {
  server: FakeNinePServer;
  /** Requests handed to the server so far. */
  requests: number;
  /** Every request's bytes, in order. */
  sent: Uint8Array[];
  /** Changes a reply before the kernel sees it: the request's index (from 0) and type, and the reply. */
  mutate?: (index: number, type: number, reply: Uint8Array) => Uint8Array;
}

export function linkServer(harness: Harness, server: FakeNinePServer): ServerLink {
  const link: ServerLink = { server, requests: 0, sent: [] };
  harness.fake.ninePTransact = (...args: number[]) => {
    const [, request, length, send, sendLength, reply, replyRoom, receive, receiveLength] = args.map((value) => value >>> 0);
    const memory = harness.bytes();
    const message = new Uint8Array(length + sendLength);
    message.set(memory.subarray(request, request + length));
    message.set(memory.subarray(send, send + sendLength), length);
    link.sent.push(message);
    let answer = server.handle(message);
    if (link.mutate) answer = link.mutate(link.requests, message[4], answer);
    link.requests++;
    if (answer.length > replyRoom + receiveLength) return BigInt(-EIO);
    const head = Math.min(answer.length, replyRoom);
    memory.set(answer.subarray(0, head), reply);
    memory.set(answer.subarray(head), receive);
    return BigInt(answer.length);
  };
  return link;
}

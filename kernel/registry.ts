// Things registered by name, kept in registration order: filesystems,
// self-tests, ... One list per kind, each owned by the subsystem that looks
// things up in it. Entries live as long as the kernel (registration happens
// at boot); nothing is ever removed but by clear() (host tests start afresh).

export class Registered<T> {
  next: Registered<T> | null = null;
  constructor(public name: string, public item: T) {}
}

export class NamedRegistry<T> {
  first: Registered<T> | null = null;
  last: Registered<T> | null = null;

  add(name: string, item: T): void {
    const entry = new Registered<T>(name, item);
    const tail = this.last;
    if (tail === null) this.first = entry;
    else tail.next = entry;
    this.last = entry;
  }

  /** The entry registered as `name`, or null. */
  find(name: string): Registered<T> | null {
    let entry = this.first;
    while (entry !== null && entry.name != name) entry = entry.next;
    return entry;
  }

  /** The names in registration order, comma-separated (for messages). */
  names(): string {
    let names = "";
    let entry = this.first;
    while (entry !== null) {
      names += (names.length ? ", " : "") + entry.name;
      entry = entry.next;
    }
    return names;
  }

  clear(): void {
    this.first = null;
    this.last = null;
  }
}

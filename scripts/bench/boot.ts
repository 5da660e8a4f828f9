export async function benchBoot(argv: string[]): Promise<number> { throw new Error("todo " + argv.length); }

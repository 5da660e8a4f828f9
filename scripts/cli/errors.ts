// Errors the CLI reports as a single line: a bad invocation (exit 2).
export class UsageError extends Error {}

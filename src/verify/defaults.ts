// Defaults of `cors-gen verify` that its usage text names, apart from the command itself so that
// the command line can show them without loading it (src/lazy.ts).

/** Seconds a request may take. */
export const DEFAULT_TIMEOUT_SECONDS = 10;

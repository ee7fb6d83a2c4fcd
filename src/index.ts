// PLACEHOLDER for the Node.js API (contract §7), so that the package's "exports" and types can be
// built and tested: branch `serve` writes the real module (corsMiddleware) and replaces this file.
export { checkPolicyText, type CheckedPolicy } from './compile.js';
export type { Diagnostic } from './diagnostics.js';

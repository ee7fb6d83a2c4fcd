import type { ServerReading } from '../model/reading.js';
import type { PolicySet } from '../model/types.js';
import type { Dialect } from './dialect.js';

// The list of targets is src/targets/registry.ts; these re-exports keep the stage boundaries.
export { TARGET_NAMES, type TargetName } from './registry.js';

/** One file a target produces, before the provenance header is prepended. */
export interface RenderedFile {
  /** File name inside the output directory, e.g. `http.conf` or `api.conf`. */
  readonly path: string;
  /** Where the user includes the file; printed before it on stdout. */
  readonly includeHint: string;
  readonly body: string;
}

/**
 * A target turns the normalized policy set into files: a TypeScript view-model builder makes every
 * decision, a Handlebars template only lays the view out. Its facts are data: `dialect`, what its
 * configuration syntax accepts, and `reading`, how its server reads a request (the evaluator's
 * model of it, src/model/reading.ts).
 */
export interface Target<N extends string = string> {
  readonly name: N;
  readonly dialect: Dialect;
  readonly reading: ServerReading;
  render(set: PolicySet): RenderedFile[];
}

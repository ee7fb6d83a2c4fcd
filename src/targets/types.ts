import type { PolicySet } from '../model/types.js';

export const TARGET_NAMES = ['nginx', 'apache', 'caddy'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

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
 * decision, a Handlebars template only lays the view out.
 */
export interface Target {
  readonly name: TargetName;
  render(set: PolicySet): RenderedFile[];
}

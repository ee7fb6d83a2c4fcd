// Every target cors-gen generates for. This is the only list: the CLI, the checks, `init`, the
// tests and the README read it. A new target adds its folder (src/targets/<t>/ with dialect.ts,
// reading.ts, view.ts, index.ts; templates/<t>/), one line here and its tests: docs/adding-a-target.md.
import { apache } from './apache/index.js';
import { caddy } from './caddy/index.js';
import { nginx } from './nginx/index.js';
import type { Target } from './types.js';

export const REGISTRY = [nginx, apache, caddy] as const;

export type TargetName = (typeof REGISTRY)[number]['name'];
export const TARGET_NAMES: readonly TargetName[] = REGISTRY.map((t) => t.name);

export const TARGETS = Object.fromEntries(REGISTRY.map((t) => [t.name, t])) as Record<TargetName, Target<TargetName>>;

/** Per target, what happens to the application's own CORS headers at a path no policy governs (its reading). */
export const UNGOVERNED_APP_CORS_HEADERS = Object.fromEntries(REGISTRY.map((t) => [t.name, t.reading.ungovernedAppCorsHeaders])) as Record<TargetName, 'removed' | 'passed'>;

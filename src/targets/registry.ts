// Every target cors-gen generates for. This is the only list: the CLI, the checks, `init`, the
// tests and the README read it. A new target adds its folder (src/targets/<t>/ with dialect.ts,
// view.ts, index.ts; templates/<t>/) and one line here.
import { apache } from './apache/index.js';
import { caddy } from './caddy/index.js';
import { nginx } from './nginx/index.js';
import type { Target } from './types.js';

export const REGISTRY = [nginx, apache, caddy] as const;

export type TargetName = (typeof REGISTRY)[number]['name'];
export const TARGET_NAMES: readonly TargetName[] = REGISTRY.map((t) => t.name);

export const TARGETS = Object.fromEntries(REGISTRY.map((t) => [t.name, t])) as Record<TargetName, Target<TargetName>>;

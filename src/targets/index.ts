import { apache } from './apache/index.js';
import { caddy } from './caddy/index.js';
import { nginx } from './nginx/index.js';
import type { Target, TargetName } from './types.js';

export const TARGETS: Record<TargetName, Target> = { nginx, apache, caddy };

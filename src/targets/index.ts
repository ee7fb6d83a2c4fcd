export { REGISTRY, TARGETS, TARGET_NAMES, type TargetName } from './registry.js';

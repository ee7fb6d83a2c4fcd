import type { Target } from '../types.js';

// Placeholder: the nginx target is being written.
export const nginx: Target = { name: 'nginx', render: () => [] };

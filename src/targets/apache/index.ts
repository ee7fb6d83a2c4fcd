import type { Target } from '../types.js';

// Placeholder: the apache target is being written.
export const apache: Target = { name: 'apache', render: () => [] };

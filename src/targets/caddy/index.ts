import type { Target } from '../types.js';

// Placeholder: the caddy target is being written.
export const caddy: Target = { name: 'caddy', render: () => [] };

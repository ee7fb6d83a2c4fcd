// The package's Node.js API (docs/contract.md §7).
export { corsMiddleware, type CorsMiddleware, type CorsMiddlewareOptions, type NextFunction } from './middleware/index.js';

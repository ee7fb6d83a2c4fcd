// The package's Node.js API (contract §7).
export { corsMiddleware, type CorsMiddleware, type CorsMiddlewareOptions, type NextFunction } from './middleware/index.js';

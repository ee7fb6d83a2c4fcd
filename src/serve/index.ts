// `cors-gen serve <policy.yaml> [--policy <name>] [--listen <host:port>] [--upstream <URL>] [--ca <file>]`
export { prepareServe, type ServeConfig, type ServeOptions } from './config.js';
export { runServer, startServer, type RunningServe, type ServeIo } from './server.js';
export { LIMITS, type Limits } from './limits.js';

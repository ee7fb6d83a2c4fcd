// The response plan: what every target renders (see types.ts).
export { buildPlan, headerPlan, originLookup, policyPlan, routes } from './build.js';
export type { HeaderPlan, HeaderValue, OriginLookup, OriginRegex, SubdomainWildcard, PolicyPlan, ReflectedRequestHeader, ResponsePlan, Route, Stage } from './types.js';
export { listText, type ListText, type ListValue } from './values.js';
export { proxyPlan, type Mount, type ProxyPlan } from './proxy.js';

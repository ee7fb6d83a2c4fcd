// The response plan: what every target renders (see types.ts).
export { buildPlan, headerPlan, originLookup, policyPlan, routes } from './build.js';
export type { HeaderPlan, HeaderValue, OriginLookup, OriginRegex, PolicyPlan, ProxyPlan, ReflectedRequestHeader, ResponsePlan, Route, Stage } from './types.js';

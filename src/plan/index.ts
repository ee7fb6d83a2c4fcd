// The response plan: what every target renders (see types.ts).
export { buildPlan, headerPlan, originLookup, policyPlan, routes } from './build.js';
export type { HeaderPlan, HeaderValue, OriginLookup, PolicyPlan, ReflectedRequestHeader, ResponsePlan, Route, Stage } from './types.js';
export { CREDENTIAL_REQUEST_HEADERS, SYSTEM_CA_BUNDLE, proxyPlan } from './proxy.js';
export type { CredentialRequestHeader, ProxyPlan } from './proxy.js';

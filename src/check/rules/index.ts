// Every policy rule, in the order their findings are listed for one node.
import type { Rule } from '../rule.js';
import { credentialsAnyOrigin } from './credentials-any-origin.js';
import { credentialsExposeWildcard } from './credentials-expose-wildcard.js';
import { credentialsSubdomainWildcard } from './credentials-subdomain-wildcard.js';
import { dangerouslyAllowUnknown } from './dangerously-allow-unknown.js';
import { duplicateOrigin } from './duplicate-origin.js';
import { exposeSetCookie } from './expose-set-cookie.js';
import { headerForbidden } from './header-forbidden.js';
import { headerToken } from './header-token.js';
import { insecureOrigin } from './insecure-origin.js';
import { maxAgeAboveCap } from './max-age-above-cap.js';
import { methodCase } from './method-case.js';
import { methodForbidden } from './method-forbidden.js';
import { methodToken } from './method-token.js';
import { nullOrigin } from './null-origin.js';
import { optionsMethod } from './options-method.js';
import { originListWildcard } from './origin-list-wildcard.js';
import { originSyntax } from './origin-syntax.js';
import { privateNetworkAnyOrigin } from './private-network-any-origin.js';
import { publicSuffixWildcard } from './public-suffix-wildcard.js';
import { regexPermissive } from './regex-permissive.js';
import { regexSyntax } from './regex-syntax.js';
import { wildcardHeadersWithoutAuthorization } from './wildcard-headers-without-authorization.js';
import { pathSyntax } from './path-syntax.js';
import { pathsDuplicate } from './paths-duplicate.js';
import { upstreamCa } from './upstream-ca.js';
import { upstreamInsecure } from './upstream-insecure.js';
import { upstreamIpAddress } from './upstream-ip-address.js';
import { upstreamOverlap } from './upstream-overlap.js';
import { upstreamUrl } from './upstream-url.js';

export const RULES: readonly Rule[] = [
  // Origins
  originSyntax,
  nullOrigin,
  originListWildcard,
  regexSyntax,
  regexPermissive,
  credentialsAnyOrigin,
  privateNetworkAnyOrigin,
  insecureOrigin,
  publicSuffixWildcard,
  credentialsSubdomainWildcard,
  duplicateOrigin,
  // Methods
  methodToken,
  methodForbidden,
  methodCase,
  optionsMethod,
  // Headers
  headerToken,
  headerForbidden,
  wildcardHeadersWithoutAuthorization,
  exposeSetCookie,
  credentialsExposeWildcard,
  // Other fields
  maxAgeAboveCap,
  dangerouslyAllowUnknown,
  // Paths and proxy mode
  pathSyntax,
  pathsDuplicate,
  upstreamUrl,
  upstreamCa,
  upstreamInsecure,
  upstreamIpAddress,
  upstreamOverlap,
];

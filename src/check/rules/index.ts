// Every policy rule, in the order their findings are listed for one node.
import type { Rule } from '../rule.js';
import { credentialsAnyOrigin } from './credentials-any-origin.js';
import { headerToken } from './header-token.js';
import { methodToken } from './method-token.js';
import { nullOrigin } from './null-origin.js';
import { originListWildcard } from './origin-list-wildcard.js';
import { originSyntax } from './origin-syntax.js';
import { regexSyntax } from './regex-syntax.js';

export const RULES: readonly Rule[] = [
  originSyntax,
  nullOrigin,
  originListWildcard,
  regexSyntax,
  credentialsAnyOrigin,
  methodToken,
  headerToken,
];

// Templates are precompiled by scripts/build.mjs (Handlebars with noEscape and strict), so the CLI
// never parses a template at run time; the precompiled module is loaded on the first render.
import { createRequire } from 'node:module';
import type { TargetName } from '../targets/types.js';

type Templates = typeof import('../generated/templates.cjs').templates;

const require = createRequire(import.meta.url);
// scripts/build.mjs defines this in the bundles, which sit in dist/ beside generated/ rather than
// one directory below it as this file does in src/.
declare const CORS_GEN_BUNDLE: true | undefined;
const TEMPLATES_MODULE = typeof CORS_GEN_BUNDLE === 'undefined' ? '../generated/templates.cjs' : './generated/templates.cjs';
let templates: Templates | undefined;

export function renderTemplate(target: TargetName, name: string, view: object): string {
  templates ??= (require(TEMPLATES_MODULE) as typeof import('../generated/templates.cjs')).templates;
  const template = templates[target]?.[name];
  if (!template) throw new Error(`no template templates/${target}/${name}.hbs`);
  return template(view);
}

// Templates are precompiled by scripts/build.mjs (Handlebars with noEscape and strict), so the CLI
// never parses a template at run time; the precompiled module is loaded on the first render.
import type { TargetName } from '../targets/types.js';

type Templates = typeof import('../generated/templates.cjs').templates;

let templates: Templates | undefined;

export function renderTemplate(target: TargetName, name: string, view: object): string {
  // A literal require(), bundled to run on first use like the libraries in src/lazy.ts.
  templates ??= (require('../generated/templates.cjs') as typeof import('../generated/templates.cjs')).templates;
  const template = templates[target]?.[name];
  if (!template) throw new Error(`no template templates/${target}/${name}.hbs`);
  return template(view);
}

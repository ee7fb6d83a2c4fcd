// Templates are precompiled by scripts/build.mjs (Handlebars with noEscape and strict), so the CLI
// never parses a template at run time.
import { templates } from '../generated/templates.js';
import type { TargetName } from '../targets/types.js';

export function renderTemplate(target: TargetName, name: string, view: object): string {
  const template = templates[target]?.[name];
  if (!template) throw new Error(`no template templates/${target}/${name}.hbs`);
  return template(view);
}

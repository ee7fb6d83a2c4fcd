// The one place where a rule's message is rendered from its template and the user's data
// (docs/contract.md §3: user text quoted, control characters never raw).
import { escapeControls, quote } from '../text/escape.js';
import type { MessageData, Rule, RuleFinding } from './rule.js';

export function renderMessage(template: string, data: MessageData = {}): string {
  return template.replace(/\{\{(=?)(\w+)\}\}/g, (whole, raw: string, name: string) => {
    const value = data[name];
    if (value === undefined) throw new Error(`message data ${name} missing in ${JSON.stringify(template)}`);
    if (typeof value === 'number') return String(value);
    return raw ? escapeControls(value) : quote(value);
  });
}

/** The finding's text and id. */
export function messageOf(rule: Pick<Rule, 'id' | 'messages'>, f: RuleFinding): { message: string; messageId: string } {
  const template = rule.messages[f.messageId];
  if (template === undefined) throw new Error(`rule ${rule.id} has no message ${f.messageId}`);
  return { message: renderMessage(template, f.data), messageId: f.messageId };
}

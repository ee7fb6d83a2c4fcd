import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain.js';
import { normalizePolicy } from '../../src/model/normalize.js';

const policy = (over: object) =>
  normalizePolicy('api', { origins: ['https://app.example.com'], methods: ['GET', 'PUT'], allowHeaders: ['X-Custom'], ...over });
const put = { origin: 'https://app.example.com', method: 'PUT', headers: [{ name: 'X-Custom' }], credentials: false };
const notesOf = (text: string) => text.split('Where browsers differ:\n')[1]?.split('\n\nResult:')[0] ?? '';

describe('explain: where browser engines differ', () => {
  it('no note for an accepted request without credentials and a maxAge every engine keeps', () => {
    const e = explain(policy({ maxAge: 600 }), put);
    expect(e.accepted).toBe(true);
    expect(e.text).not.toContain('Where browsers differ');
    expect(e.text).toMatch(/\n\nResult: ALLOWED\n$/);
  });

  it('maxAge above an engine’s cap names each engine that asks again, and when', () => {
    expect(notesOf(explain(policy({ maxAge: 601 }), put).text)).toMatch(/^ {2}- WebKit \(Safari\) keeps a preflight at most 600 s: with maxAge 601 it asks again after 10 min/);
    const long = notesOf(explain(policy({ maxAge: 7201 }), put).text);
    expect(long).toContain('WebKit (Safari) keeps a preflight at most 600 s');
    expect(long).toContain('Chromium (Chrome, Edge) keeps a preflight at most 7200 s: with maxAge 7201 it asks again after 2 h');
    expect(long).not.toContain('Firefox');
    expect(notesOf(explain(policy({ maxAge: 86401 }), put).text)).toContain('Firefox keeps a preflight at most 86400 s: with maxAge 86401 it asks again after 24 h');
    // A simple request has no preflight to cache.
    expect(explain(policy({ maxAge: 86401 }), { ...put, method: 'GET', headers: [] }).text).not.toContain('keeps a preflight');
  });

  it('Authorization under allowHeaders "*": the Fetch verdict, and the engines that let it through', () => {
    const e = explain(policy({ allowHeaders: ['*'] }), { ...put, headers: [{ name: 'Authorization' }] });
    expect(e.accepted).toBe(false);
    expect(notesOf(e.text)).toContain('Chromium 156, Firefox ESR 153 and WebKitGTK 2.50 still let it through');
    expect(notesOf(e.text)).toContain('"Load failed" (WebKit)');
    // Listed by name: no difference to tell.
    expect(explain(policy({ allowHeaders: ['*', 'Authorization'] }), { ...put, headers: [{ name: 'Authorization' }] }).text).not.toContain('still let it through');
  });

  it('a credentialed request says where cookies are withheld', () => {
    const e = explain(policy({ credentials: true }), { ...put, credentials: true });
    expect(e.accepted).toBe(true);
    expect(notesOf(e.text)).toContain('Firefox partitions them by default');
  });
});

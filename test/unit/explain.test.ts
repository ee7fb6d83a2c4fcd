import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain.js';
import { normalizePolicy } from '../../src/model/normalize.js';

const api = normalizePolicy('api', {
  origins: ['https://app.example.com', 'https://*.example.com'],
  methods: ['GET', 'PUT'],
  allowHeaders: ['Content-Type'],
  credentials: true,
});
const req = (over: object) => ({ origin: 'https://app.example.com', method: 'GET', headers: [], credentials: true, ...over });

describe('explain', () => {
  it('a simple allowed request', () => {
    const e = explain(api, req({}));
    expect(e.accepted).toBe(true);
    expect(e.text).toContain('it matches the entry https://app.example.com');
    expect(e.text).toContain('simple request');
    expect(e.text).toContain('Access-Control-Allow-Credentials: true');
    expect(e.text).toMatch(/Result: ALLOWED\n$/);
  });

  it('a refused origin says why each entry did not match', () => {
    const e = explain(api, req({ origin: 'https://example.com' }));
    expect(e.accepted).toBe(false);
    expect(e.text).toContain('*.example.com matches subdomains of example.com, not example.com itself');
    expect(e.text).toContain('The browser blocks the response: the response has no Access-Control-Allow-Origin header');
  });

  it('a preflight that succeeds', () => {
    const e = explain(api, req({ method: 'PUT', headers: [{ name: 'Content-Type', value: 'application/json' }] }));
    expect(e.text).toContain('This is a preflighted request (PUT is not a CORS-safelisted method; content-type is not CORS-safelisted)');
    expect(e.text).toContain('Access-Control-Request-Headers: content-type');
    expect(e.text).toContain('204 No Content');
    expect(e.text).toContain('The browser accepts the preflight.');
    expect(e.accepted).toBe(true);
  });

  it('a preflight the browser rejects names the failing check', () => {
    const e = explain(api, req({ method: 'DELETE' }));
    expect(e.accepted).toBe(false);
    expect(e.text).toContain('The browser rejects the preflight: method DELETE is not in Access-Control-Allow-Methods (GET, PUT)');
    expect(e.text).toContain('The actual request is never sent');
  });

  it('a refused preflight is a 403', () => {
    const e = explain(api, req({ origin: 'https://evil.test', method: 'PUT' }));
    expect(e.text).toContain('403 Forbidden');
    expect(e.text).toContain('Result: BLOCKED');
  });
});

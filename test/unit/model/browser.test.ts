import { describe, expect, it } from 'vitest';
import { corsCheck, needsPreflight, preflightCheck, unsafeHeaderNames } from '../../../src/model/browser.js';

const base = { origin: 'https://app.example.com', method: 'GET', headers: [], credentials: false };

describe('Fetch checks used by explain', () => {
  it('CORS check', () => {
    expect(corsCheck({ 'Access-Control-Allow-Origin': '*' }, base)).toEqual({ ok: true });
    expect(corsCheck({ 'Access-Control-Allow-Origin': '*' }, { ...base, credentials: true }).ok).toBe(false);
    expect(corsCheck({ 'Access-Control-Allow-Origin': 'https://app.example.com' }, { ...base, credentials: true }).ok).toBe(false);
    expect(corsCheck({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Credentials': 'true' }, { ...base, credentials: true })).toEqual({ ok: true });
    expect(corsCheck({ 'Access-Control-Allow-Origin': 'https://app.example.com/' }, base).ok).toBe(false);
    expect(corsCheck({}, base).ok).toBe(false);
  });

  it('preflight need and ACRH names', () => {
    expect(needsPreflight(base)).toBe(false);
    expect(needsPreflight({ ...base, method: 'PUT' })).toBe(true);
    expect(needsPreflight({ ...base, method: 'POST', headers: [{ name: 'Content-Type', value: 'text/plain;charset=utf-8' }] })).toBe(false);
    expect(needsPreflight({ ...base, method: 'POST', headers: [{ name: 'Content-Type', value: 'application/json' }] })).toBe(true);
    expect(unsafeHeaderNames({ ...base, headers: [{ name: 'X-B' }, { name: 'Authorization' }, { name: 'Accept' }, { name: 'x-b' }] })).toEqual(['authorization', 'x-b']);
  });

  it('preflight method and header checks', () => {
    const ok = { 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'X-A' };
    const put = { ...base, method: 'PUT', headers: [{ name: 'x-a' }] };
    expect(preflightCheck(204, ok, put)).toEqual({ ok: true });
    expect(preflightCheck(403, ok, put).ok).toBe(false);
    expect(preflightCheck(204, ok, { ...put, method: 'put' })).toMatchObject({ ok: false, reason: expect.stringContaining('case-sensitively') });
    expect(preflightCheck(204, { ...ok, 'Access-Control-Allow-Headers': '*' }, put)).toEqual({ ok: true });
    expect(preflightCheck(204, { ...ok, 'Access-Control-Allow-Headers': '*' }, { ...put, headers: [{ name: 'Authorization' }] })).toMatchObject({ ok: false, reason: expect.stringContaining('listed by name') });
    expect(preflightCheck(204, { ...ok, 'Access-Control-Allow-Methods': '*' }, { ...put, credentials: true }).ok).toBe(false);
    expect(preflightCheck(204, { ...ok, 'Access-Control-Allow-Methods': 'Bad method' }, put).ok).toBe(false);
  });
});

// explain and paths (docs/contract.md §2a): the path picks the governing policy; none governs, several
// share it, or the servers read the path differently.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainUngoverned, governedLine, policyForPath } from '../../src/explain.js';
import { normalizePolicy, type RawPolicy } from '../../src/model/normalize.js';

const policy = (name: string, raw: Partial<RawPolicy>) => normalizePolicy(name, { origins: ['https://app.example.com'], ...raw });
const file = [policy('assets', { origins: '*', paths: ['/public/'] }), policy('api', { paths: ['/api/'] }), policy('admin', { paths: ['/api/admin/'] })];

describe('policyForPath', () => {
  it('the longest matching prefix, through dot-segments every server resolves alike', () => {
    expect(policyForPath(file, '/api/x')).toMatchObject({ kind: 'governed', prefix: '/api/', policy: { name: 'api' } });
    expect(policyForPath(file, '/api/admin/x')).toMatchObject({ kind: 'governed', policy: { name: 'admin' } });
    expect(policyForPath(file, '/public/../api/admin/x')).toMatchObject({ kind: 'governed', policy: { name: 'admin' } });
  });
  it('none, or several sharing /', () => {
    expect(policyForPath(file, '/')).toEqual({ kind: 'none' });
    expect(policyForPath(file, '/api')).toEqual({ kind: 'none' });
    expect(policyForPath([policy('a', {}), policy('b', {})], '/x')).toEqual({ kind: 'ambiguous', names: ['a', 'b'] });
  });
  it('a path the servers read differently is named as such, never guessed', () => {
    expect(policyForPath(file, '/api%2Fadmin/x')).toMatchObject({ kind: 'servers-differ', readings: 'nginx: admin, apache: refused 404, caddy: admin' });
    expect(policyForPath(file, '/API/x')).toMatchObject({ kind: 'servers-differ' });
  });
  it('the explanation says which policy governs, or that the request passes untouched', () => {
    expect(governedLine('/api/x', file[1]!, '/api/')).toBe('Path /api/x: governed by policy "api" (prefix /api/, the longest that matches).\n');
    expect(governedLine('/x', policy('site', {}), '/')).toBe('');
    const e = explainUngoverned('/other', { origin: 'https://app.example.com', method: 'GET', headers: [], credentials: false });
    expect(e.accepted).toBe(false);
    expect(e.text).toContain('No policy governs the path /other');
  });
});

describe('cors-gen explain --path', () => {
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cors-gen.js'), 'explain', join(__dirname, '..', '..', 'examples', 'one-host.yaml'), ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  it('picks the governing policy; / is governed by none in this file', () => {
    const api = run('--origin', 'https://app.example.com', '--path', '/api/orders', '--credentials');
    expect(api.code).toBe(0);
    expect(api.stdout).toMatch(/^Path \/api\/orders: governed by policy "api"/);
    expect(api.stdout).toMatch(/Result: ALLOWED\n$/);
    const admin = run('--origin', 'https://app.example.com', '--path', '/api/admin/users', '--credentials');
    expect(admin.stdout).toMatch(/Result: BLOCKED\n$/);
    const root = run('--origin', 'https://app.example.com');
    expect(root).toMatchObject({ code: 0, stderr: '' });
    expect(root.stdout).toContain('No policy governs the path /');
  });
  it('bad usage: a path the servers read differently, or not starting with /', () => {
    expect(run('--origin', 'https://app.example.com', '--path', '/API/x')).toMatchObject({ code: 2, stdout: '' });
    expect(run('--origin', 'https://app.example.com', '--path', 'api')).toMatchObject({ code: 2, stdout: '' });
  });
});

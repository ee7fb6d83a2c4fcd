// A target is one folder (docs/adding-a-target.md): its knowledge lives in src/targets/<t>/ and
// templates/<t>/, the registry (src/targets/registry.ts) is the only list, and every registered
// target has its test driver and its per-target test files. Nothing else in src/ names a target.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY, TARGET_NAMES } from '../../../src/targets/registry.js';
import { DRIVERS } from '../../servers/drivers.js';

const root = join(import.meta.dirname, '../../..');
const files = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));

/** The files docs/adding-a-target.md lists for a target named `t`, besides its registry line. */
const OWN_FILES = (t: string) => [
  `src/targets/${t}/dialect.ts`,
  `src/targets/${t}/reading.ts`,
  `src/targets/${t}/view.ts`,
  `src/targets/${t}/index.ts`,
  `test/servers/${t}.driver.ts`,
  `test/servers/${t}.test.ts`,
  `test/servers/paths.${t}.test.ts`,
  `test/servers/proxy.${t}.test.ts`,
  `test/fuzz/${t}.fuzz.test.ts`,
  `test/verify/${t}.verify.test.ts`,
  `test/browser/${t}.browser.test.ts`,
  `test/unit/targets/${t}.test.ts`,
];

describe('a target is one folder', () => {
  for (const t of REGISTRY) {
    it(`${t.name}: its folder, its templates, its facts named for it`, () => {
      expect(OWN_FILES(t.name).filter((f) => !existsSync(join(root, f)))).toEqual([]);
      expect(readdirSync(join(root, 'templates', t.name)).length).toBeGreaterThan(0);
      expect([t.dialect.name, t.reading.reader]).toEqual([t.name, t.name]);
    });

    it(`${t.name}: its test drivers (test/servers/${t.name}.driver.ts) drive its server`, () => {
      const d = DRIVERS[t.name];
      expect(d.driver.target).toBe(t.name);
      expect(d.paths.driver).toBe(d.driver);
      expect(['server', 'location']).toContain(d.paths.otherLayoutLevel);
    });
  }

  it('no module of src/ outside src/targets/<t>/ names a target (the registry is the only list)', () => {
    const own = new RegExp(`^src/(targets/(${TARGET_NAMES.join('|')})/|generated/)`);
    const named = new RegExp(`['"\`](${TARGET_NAMES.join('|')})['"\`]`);
    const offenders = files('src')
      .map((f) => relative(root, join(root, f)))
      .filter((f) => !own.test(f) && named.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the evaluator (src/model/) imports no target, view or template: it stays the independent oracle', () => {
    const offenders = files('src/model').filter((f) => /from '\.\.\/(targets|render|plan)\//.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

// Debian's WebKitGTK: WebKitWebDriver drives MiniBrowser (the driver's default browser) under a
// private Xvfb display (MiniBrowser has no headless mode), through selenium-webdriver's WebDriver
// classic client (pointed at the driver we start, so it never looks for or downloads a driver).
// Host names: WebKitGTK has no resolver flag, so WebKitWebDriver (and MiniBrowser and its network
// process, which inherit its environment) run with libnss_wrapper and a hosts file of their own.
// Facts behind every choice: docs/browsers.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Capabilities, WebDriver } from 'selenium-webdriver';
import { createRequire } from 'node:module';
import type * as SeleniumHttp from 'selenium-webdriver/http' with { 'resolution-mode': 'require' };
import type { FetchOutcome } from './browser.js';
import { ORIGIN_PROBE, RUN_FETCHES, type Engine } from './engine.js';
import { PAGE_HOSTS } from './page-server.js';

export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = '/usr/bin/Xvfb';
export const NSS_WRAPPER = '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so';

// selenium-webdriver has no "exports" map, so an ES import of a subpath must name a file, which its
// types (@types/selenium-webdriver/http.d.ts) do not describe; require resolves it as Node does.
const { Executor, HttpClient } = createRequire(import.meta.url)('selenium-webdriver/http') as typeof SeleniumHttp;

const missing = (path: string, pkg: string) =>
  new Error(`${path} not found: the browser suite needs Debian's ${pkg} (apt-get install -y ${pkg}; .ci/run installs it). It never skips.`);

/** Stops a process group we started (detached), by its id, and waits for the leader to exit. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 3_000);
  await exited;
  clearTimeout(timer);
}

/** Xvfb on the first free display it finds (-displayfd writes the number it chose). */
async function startXvfb(): Promise<{ display: string; child: ChildProcess }> {
  const child = spawn(XVFB, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb chose no display within 10 s:\n${err}`)), 10_000);
    child.stdio[3]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}):\n${err}`)));
  });
  return { display, child };
}

async function waitForStatus(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}):\n${log()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer /status within 10 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A free port for the driver (the OS picks it; the driver binds it right after). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `dir` receives the hosts file. */
export async function webkitEngine(dir: string): Promise<Engine> {
  for (const [path, pkg] of [
    [WEBKIT_DRIVER, 'webkit2gtk-driver'],
    [MINIBROWSER, 'webkit2gtk-driver'],
    [XVFB, 'xvfb'],
    [NSS_WRAPPER, 'libnss-wrapper'],
  ] as const) {
    if (!existsSync(path)) throw missing(path, pkg);
  }
  const hosts = join(dir, 'webkit-hosts');
  writeFileSync(hosts, `127.0.0.1 ${PAGE_HOSTS.join(' ')}\n`);
  const xvfb = await startXvfb();
  let driverProcess: ChildProcess | undefined;
  let driver: WebDriver | undefined;
  try {
    const port = await freePort();
    driverProcess = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], {
      env: {
        ...process.env,
        DISPLAY: xvfb.display,
        LD_PRELOAD: NSS_WRAPPER,
        NSS_WRAPPER_HOSTS: hosts,
        // MiniBrowser's caches and data stay in the test's directory, not in $HOME.
        XDG_CACHE_HOME: join(dir, 'cache'),
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CONFIG_HOME: join(dir, 'config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    driverProcess.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    driverProcess.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitForStatus(port, driverProcess, () => log);
    // Not selenium's Builder: it insists on a browserName, and WebKitWebDriver 2.50 matches none it
    // is given ("Failed to match capabilities"); its default browser is MiniBrowser.
    const capabilities = new Capabilities({
        acceptInsecureCerts: true,
        // Given args replace the driver's default ["--automation"], so it is repeated here.
        // --cookies-policy=always: cross-site credentialed requests carry cookies (MiniBrowser's
        // default blocks third-party cookies), as a user who allowed them would; see firefox.ts.
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--cookies-policy=always'] },
    });
    driver = WebDriver.createSession(new Executor(new HttpClient(`http://127.0.0.1:${port}`)), capabilities);
    await driver.manage().setTimeouts({ script: 120_000, pageLoad: 30_000 });
    const caps = await driver.getCapabilities();
    const version = `WebKitGTK ${String(caps.get('browserVersion') ?? 'unknown')}`;
    const d = driver;
    const dp = driverProcess;
    // WebDriver classic drives one window: a page is a window handle, switched to per batch.
    const show = async (handle: string) => {
      if ((await d.getWindowHandle()) !== handle) await d.switchTo().window(handle);
    };
    let first = true;
    const load = async (url: string, origin: string | null) => {
      if (!first) await d.switchTo().newWindow('tab');
      first = false;
      await d.get(url);
      if (origin !== null) {
        const actual = await d.executeScript(`return ${ORIGIN_PROBE}`);
        if (actual !== origin) throw new Error(`the test page has the origin ${String(actual)}, not ${origin}`);
      }
      return d.getWindowHandle();
    };
    return {
      name: 'webkit',
      version,
      open: async (origin) => {
        const handle = await load(`${origin}/`, origin);
        return {
          origin,
          run: async (fetches) => {
            await show(handle);
            return (await d.executeScript(`return (${RUN_FETCHES})(arguments[0])`, fetches)) as FetchOutcome[];
          },
        };
      },
      setCookie: async ({ name, value }, visit) => {
        await load(visit, null);
        await d.manage().addCookie({ name, value, path: '/', secure: true, sameSite: 'None' });
      },
      // WebKitGTK never prompts for a fetch (engine-facts.ts); WebDriver classic has no hook to count with.
      authChallenges: () => 0,
      // WebDriver classic deletes the cookies of the shown page's host; every test cookie is 127.0.0.1's.
      clearCookies: async (visit) => {
        await load(visit, null);
        await d.manage().deleteAllCookies();
      },
      close: async () => {
        try {
          await d.quit();
        } finally {
          await stopGroup(dp);
          await stopGroup(xvfb.child);
        }
      },
    };
  } catch (e) {
    await driver?.quit().catch(() => undefined);
    if (driverProcess) await stopGroup(driverProcess);
    await stopGroup(xvfb.child);
    throw e;
  }
}

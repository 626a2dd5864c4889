/**
 * What cases share: the repository paths, a cleanup stack (child processes, browsers, temp dirs
 * are always released, even when a case throws or the run is interrupted), the built app served
 * by the real relay, and a tiny loopback server for baseline pages.
 *
 * Servers start lazily, on a case's first request, and live until the end of the bench run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The newest modification time (ms) of what the build is made from. */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of ['src', 'public', 'sync-server/src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json']) visit(join(ROOT, p));
  return newest;
}

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const RELAY_MAIN = join(ROOT, 'sync-server/dist/main.js');

export function createContext({ log = console.log } = {}) {
  /** LIFO list of cleanup functions. */
  const cleanups = [];
  /** Once cleanup has begun (Ctrl-C while a case runs), anything new is released at once. */
  let closing = false;
  const late = [];
  const onCleanup = (fn) => {
    if (closing) late.push(Promise.resolve().then(fn).catch(() => {}));
    else cleanups.push(fn);
    return fn;
  };
  /** `fn` at most once; every caller waits for that one call to finish. */
  const runOnce = (fn) => {
    let running;
    return () => (running ??= Promise.resolve().then(fn));
  };

  /** A fresh temp directory, removed at the end of the run (or earlier with the returned `remove`). */
  function tempDir(prefix = 'deepforge-bench-') {
    const path = mkdtempSync(join(tmpdir(), prefix));
    const remove = runOnce(() => rmSync(path, { recursive: true, force: true, maxRetries: 5 }));
    onCleanup(remove);
    return { path, remove };
  }

  /** Starts a child process that is killed (SIGTERM, then SIGKILL after 3 s) at cleanup. */
  function spawnChild(cmd, args, options) {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    const collect = (chunk) => {
      output += chunk.toString();
      if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    const stop = runOnce(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    });
    onCleanup(stop);
    return { child, exited, stop, output: () => output };
  }

  /**
   * Builds the app and relay (`npm run build`) when dist/index.html or sync-server/dist/main.js
   * is missing or older than a source (a stale build measures old code). BENCH_BUILD=1 forces a rebuild.
   */
  let built;
  function ensureBuilt() {
    built ??= (() => {
      const missing = [join(DIST, 'index.html'), RELAY_MAIN].filter((p) => !existsSync(p));
      const stale = missing.length === 0 && newestSource() > Math.min(statSync(join(DIST, 'index.html')).mtimeMs, statSync(RELAY_MAIN).mtimeMs);
      const force = process.env.BENCH_BUILD === '1' || stale;
      if (!force && missing.length === 0) {
        const age = (Date.now() - statSync(join(DIST, 'index.html')).mtimeMs) / 60000;
        return { built: false, note: `existing build in dist/ (${age < 120 ? `${age.toFixed(0)} min` : `${(age / 60).toFixed(1)} h`} old; BENCH_BUILD=1 rebuilds)` };
      }
      log(stale ? 'A source is newer than the build: running `npm run build`…' : force ? 'BENCH_BUILD=1: running `npm run build`…' : `Missing ${missing.map((p) => p.slice(ROOT.length + 1)).join(', ')}: running \`npm run build\`…`);
      const t0 = performance.now();
      const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      if (r.status !== 0) {
        const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-25).join('\n');
        // The relay may still be in the making: the app alone is enough (served by vite preview).
        if (existsSync(join(DIST, 'index.html')) && !existsSync(RELAY_MAIN)) {
          log(`\`npm run build\` failed after ${secs} s, but dist/index.html exists; going on without the relay.\n${tail}`);
          return { built: true, note: `npm run build failed (${secs} s); app from dist/ only` };
        }
        throw new Error(`\`npm run build\` failed (exit ${r.status}):\n${tail}`);
      }
      log(`Built in ${secs} s.`);
      return { built: true, note: `built by the harness (${secs} s)` };
    })();
    return built;
  }

  /**
   * The built app, served by the real relay (`node sync-server/dist/main.js`, as `npm start`
   * does) with a fresh data dir. Falls back to `vite preview` only when the relay is not built.
   * Resolves to `{ url, server, note }`; `url` ends with '/'.
   */
  let app;
  function appServer() {
    app ??= (async () => {
      const build = ensureBuilt();
      const forcePreview = process.env.BENCH_SERVER === 'preview';
      if (existsSync(RELAY_MAIN) && !forcePreview) {
        const data = tempDir('deepforge-bench-data-');
        const proc = spawnChild(process.execPath, [RELAY_MAIN], {
          cwd: ROOT,
          env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.path, LOG_LEVEL: 'silent' },
        });
        const url = await waitForOutput(proc, /DeepForge is running at (http:\/\/\S+)/, 15000, 'the relay');
        return { url: url.endsWith('/') ? url : `${url}/`, server: 'relay (node sync-server/dist/main.js)', build: build.note };
      }
      const port = await freePort();
      const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
      const proc = spawnChild(process.execPath, [vite, 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: ROOT });
      const url = `http://127.0.0.1:${port}/`;
      await waitForHttp(url, proc, 20000);
      const why = forcePreview ? 'BENCH_SERVER=preview' : 'sync-server/dist/main.js is missing';
      const note = `FALLBACK: ${why}, so the app is served by \`vite preview\`, not the relay`;
      log(`NOTE: ${note}.`);
      return { url, server: `vite preview (fallback: ${why})`, build: build.note, note };
    })();
    return app;
  }

  /**
   * A loopback HTTP server for baseline pages. `pages` maps a path ('/', '/x.html') to
   * `{ type, body }`; unknown paths answer 404. Resolves to its base URL (ending with '/').
   */
  const staticServers = new Map();
  function staticServer(key, pages) {
    if (!staticServers.has(key)) {
      staticServers.set(
        key,
        new Promise((ok, fail) => {
          const server = createServer((req, res) => {
            const path = new URL(req.url ?? '/', 'http://x').pathname;
            const page = pages[path];
            if (!page) {
              res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
              return;
            }
            const body = Buffer.from(page.body);
            res.writeHead(200, { 'Content-Type': page.type ?? 'text/html; charset=utf-8', 'Content-Length': body.byteLength, 'Cache-Control': 'no-cache' });
            res.end(req.method === 'HEAD' ? undefined : body);
          });
          server.on('error', fail);
          server.listen(0, '127.0.0.1', () => {
            onCleanup(
              runOnce(
                () =>
                  new Promise((r) => {
                    server.closeAllConnections?.();
                    server.close(() => r());
                  }),
              ),
            );
            ok(`http://127.0.0.1:${server.address().port}/`);
          });
        }),
      );
    }
    return staticServers.get(key);
  }

  /** Runs every cleanup (last registered first); errors are logged, never thrown. */
  async function cleanup() {
    closing = true;
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (error) {
        log(`cleanup: ${error instanceof Error ? error.message : error}`);
      }
    }
    while (late.length) await late.shift();
  }

  const appStarted = () => app !== undefined;

  return { runOnce, root: ROOT, dist: DIST, log, onCleanup, tempDir, spawnChild, ensureBuilt, appServer, appStarted, staticServer, cleanup, isClosing: () => closing, shared: {} };
}

function waitForOutput(proc, pattern, timeoutMs, what) {
  return new Promise((ok, fail) => {
    const check = () => {
      const m = pattern.exec(proc.output());
      if (m) {
        done();
        ok(m[1]);
      }
    };
    const timer = setTimeout(() => {
      done();
      fail(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${proc.output()}`));
    }, timeoutMs);
    const onExit = ({ code, signal }) => {
      done();
      fail(new Error(`${what} exited (code ${code}, signal ${signal}) before it was ready:\n${proc.output()}`));
    };
    const done = () => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', check);
      proc.child.stderr?.off('data', check);
    };
    proc.child.stdout?.on('data', check);
    proc.child.stderr?.on('data', check);
    proc.exited.then(onExit);
    check();
  });
}

async function waitForHttp(url, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`The server exited (code ${proc.child.exitCode}):\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${proc.output()}`);
}

/** A port that was free a moment ago (for servers that cannot be told to pick one). */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starting the real relay (`node sync-server/dist/main.js`, what `npm start` runs) on a free port, serving the built
 * app: once for all browser tests (global-setup.ts), and by tests that need a relay of their own to kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The build under test: E2E_DIST (a `vite build --outDir …` made elsewhere) or dist/. */
export function distDir(): string {
  return resolve(ROOT, process.env.E2E_DIST ?? 'dist');
}

export function assertBuilt(): void {
  if (!existsSync(join(distDir(), 'index.html')) || !existsSync(join(ROOT, 'sync-server/dist/main.js'))) {
    throw new Error('The app is not built. Run `npm run build` first (`npm test` does this for you).');
  }
}

export interface RunningRelay {
  server: ChildProcess;
  baseURL: string;
}

export async function startRelay(dataDir: string, port = 0): Promise<RunningRelay> {
  const server: ChildProcess = spawn(process.execPath, ['sync-server/dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: distDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const baseURL = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`The relay did not start within 15 s:\n${log}`)), 15_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /running at (http:\/\/\S+?)\/?\s/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => fail(new Error(`The relay exited with code ${code}:\n${log}`)));
  });
  return { server, baseURL };
}

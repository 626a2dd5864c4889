/**
 * The native side of the training benchmarks: `_training-torch.py` run with Debian's Python
 * (`/usr/bin/python3`, python3-torch, python3-numpy). When torch is missing and the bench runs
 * as root on Debian, it is installed with apt (as test/e2e/browser.ts installs Chromium);
 * otherwise the cases that need it fail with the command to run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '_training-torch.py');
const INSTALL = 'apt-get install -y python3-torch python3-numpy';

function importsTorch() {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/** Makes sure PyTorch can be imported; throws what to run when it cannot be installed here. */
export function ensureTorch(ctx) {
  ctx.shared.torchReady ??= (async () => {
    if (importsTorch()) return;
    const root = process.getuid?.() === 0;
    const debian = existsSync('/etc/debian_version');
    if (!root || !debian) {
      throw new Error(`skipped: PyTorch for ${PYTHON} is missing; install it (Debian: \`sudo ${INSTALL}\`) and run the bench again.`);
    }
    ctx.log(`PyTorch is missing: running \`${INSTALL}\`…`);
    let r = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-numpy'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'ignore' });
      r = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-numpy'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    if (r.status !== 0 || !importsTorch()) throw new Error(`\`${INSTALL}\` did not give an importable torch:\n${(r.stderr ?? '').split('\n').slice(-10).join('\n')}`);
  })();
  return ctx.shared.torchReady;
}

/** Runs one request of `_training-torch.py` (see there) and resolves to its JSON answer. */
export async function torch(ctx, request) {
  await ensureTorch(ctx);
  const proc = ctx.spawnChild(PYTHON, [SCRIPT, JSON.stringify(request)], { cwd: ctx.root, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const { code, signal } = await proc.exited;
  const output = proc.output().trim();
  if (code !== 0) throw new Error(`${PYTHON} _training-torch.py ${request.op} failed (exit ${code ?? signal}):\n${output.split('\n').slice(-15).join('\n')}`);
  return JSON.parse(output.split('\n').pop());
}

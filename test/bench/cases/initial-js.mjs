/**
 * Initial JS: what a first visit must download before the app can start. From dist/index.html,
 * the entry `<script type="module" src>` and the `<link rel="modulepreload">`s, plus every chunk
 * they import statically (recursively; dynamic `import()` does not count), each gzipped
 * (level 9) and summed. Baseline: all JS in dist/assets, gzipped the same way, so the ratio is
 * the fraction that loads up front. Deterministic, so one run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

const KiB = 1024;
/** Marks of code that must stay out of the first load (lazy-loaded by design). */
const HEAVY = [
  { name: 'automerge (wasm loader)', patterns: ['automerge_wasm', 'automerge_wasm_bg'] },
  { name: 'tfjs', patterns: ['@tensorflow/', 'tfjs-core', 'tfjs-backend'] },
];

const gz = (buf) => gzipSync(buf, { level: 9 }).byteLength;

/** Static import / export-from specifiers of an ES module (es-module-lexer, as Vite uses; a plain scan if it is absent). */
async function staticImports(source) {
  try {
    const { init, parse } = await import('es-module-lexer');
    await init;
    const [imports] = parse(source);
    // d === -1: static import or export…from; -2: import.meta; ≥ 0: dynamic import().
    return { parser: 'es-module-lexer', specifiers: imports.filter((i) => i.d === -1 && i.n).map((i) => i.n) };
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return { parser: 'leading-import scan', specifiers: scanLeadingImports(source) };
  }
}

/**
 * Fallback without es-module-lexer: bundler output puts its import declarations first (after
 * Vite's `__vite__mapDeps` helper), so read declarations from the top and stop at the first
 * other statement. Dynamic `import()` never matches.
 */
export function scanLeadingImports(source) {
  const specifiers = [];
  const decl = /^\s*(?:import\s*(?:[\w$*{][^;"'`]*?from\s*)?|export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*)(["'])([^"']+)\1\s*;?/;
  let rest = source.replace(/^\s*const __vite__mapDeps=[^\n]*?;(?=\s*(?:import|export)\b)/, '');
  for (let m = decl.exec(rest); m; m = decl.exec(rest)) {
    specifiers.push(m[2]);
    rest = rest.slice(m[0].length);
  }
  return specifiers;
}

/** dist-relative URL path ('/assets/x.js') → file on disk. */
const fileOf = (dist, urlPath) => join(dist, ...urlPath.split('/').filter(Boolean));

function attr(tag, name) {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : null;
}

/** The entry scripts and modulepreloads of index.html, as URL paths. */
function htmlEntries(html) {
  const entries = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    if ((attr(tag, 'type') ?? '').toLowerCase() === 'module' && attr(tag, 'src')) entries.push(attr(tag, 'src'));
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    if ((attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/).includes('modulepreload') && attr(tag, 'href')) entries.push(attr(tag, 'href'));
  }
  return entries.map((u) => new URL(u, 'http://app/').pathname);
}

async function initialChunks(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const queue = htmlEntries(html);
  if (queue.length === 0) throw new Error('dist/index.html has no <script type="module" src> or modulepreload');
  const seen = new Map(); // url path → { bytes, gzip, via }
  let parser = '';
  const external = [];
  while (queue.length) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    const source = readFileSync(fileOf(dist, path));
    seen.set(path, { bytes: source.byteLength, gzip: gz(source), text: source.toString('utf8') });
    const found = await staticImports(source.toString('utf8'));
    parser = found.parser;
    for (const spec of found.specifiers) {
      if (/^(\.{1,2}\/|\/)/.test(spec)) queue.push(posix.normalize(posix.join(posix.dirname(path), spec)));
      else external.push(spec); // a bare or absolute-URL import survived the build
    }
  }
  return { chunks: seen, parser, external };
}

function allAssetJs(dist) {
  const dir = join(dist, 'assets');
  return readdirSync(dir)
    .filter((f) => /\.m?js$/.test(f))
    .map((f) => {
      const buf = readFileSync(join(dir, f));
      return { file: f, bytes: buf.byteLength, gzip: gz(buf) };
    });
}

export default {
  name: 'initial JS (gzip)',
  unit: 'KiB',
  goal: { max: 300 },
  runs: 1,
  description: 'entry module + modulepreloads + their static imports, gzip -9, summed',
  setup(ctx) {
    ctx.ensureBuilt();
  },
  async run(ctx) {
    const { chunks, parser, external } = await initialChunks(ctx.dist);
    const total = [...chunks.values()].reduce((s, c) => s + c.gzip, 0);
    const listing = [...chunks].map(([p, c]) => `${posix.basename(p)} ${(c.gzip / KiB).toFixed(1)} KiB gz (${(c.bytes / KiB).toFixed(1)} KiB raw)`);
    const all = allAssetJs(ctx.dist);
    const initialNames = new Set([...chunks.keys()].map((p) => posix.basename(p)));
    const lazy = all.filter((a) => !initialNames.has(a.file)).map((a) => `${a.file} ${(a.gzip / KiB).toFixed(1)} KiB gz`);
    const heavy = HEAVY.map((h) => {
      const hits = [...chunks].filter(([, c]) => h.patterns.some((p) => c.text.includes(p))).map(([p]) => posix.basename(p));
      return { ...h, hits };
    });
    return {
      value: total / KiB,
      notes: {
        'initial chunks': listing.join('; '),
        'lazy chunks': lazy.join('; ') || '(none)',
        'import parser': parser,
        ...(external.length ? { 'unresolved bare imports': external.join(', ') } : {}),
        ...Object.fromEntries(heavy.map((h) => [`${h.name} in initial`, h.hits.length ? `yes (${h.hits.join(', ')})` : 'no'])),
      },
      checks: heavy.map((h) => ({ name: `${h.name} not in initial JS`, ok: h.hits.length === 0, detail: h.hits.length ? `found in ${h.hits.join(', ')}` : '' })),
    };
  },
  baseline: {
    name: 'all JS in dist/assets (gzip -9, summed)',
    run(ctx) {
      const all = allAssetJs(ctx.dist);
      return { value: all.reduce((s, a) => s + a.gzip, 0) / KiB, notes: { files: all.length } };
    },
  },
};

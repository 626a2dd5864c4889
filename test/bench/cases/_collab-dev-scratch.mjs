import { createContext } from '../context.mjs';
import { session, typicalFrameBytes } from './_collab.mjs';
const [mode='repo', editors='2', procs='2', seconds='6'] = process.argv.slice(2);
const ctx = createContext({ log: console.log });
try {
  const ids = Array.from({ length: +editors }, (_, i) => `e${i}`);
  const r = await session(ctx, { mode, editors: +editors, procs: +procs, seconds: +seconds, warmupSeconds: 1, schedule: { minMs: 200, maxMs: 500 }, seed: 7, messageBytes: typicalFrameBytes(ids), relayEnv: process.env.RL ? { RATE_LIMIT: process.env.RL } : {} });
  console.log(JSON.stringify(r, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 1).replace(/\n\s*/g, ' '));
} finally { await ctx.cleanup(); }
process.exit(0);

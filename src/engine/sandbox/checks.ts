/**
 * Checks on what comes back from an engine. The engine runs the project's code, so its messages are not trusted:
 * anything malformed is dropped, job events must name a job of the plan, and requests may only ask for the bytes
 * the plan itself names (never another project's artifacts, whatever their hash).
 */
import type { EngineMessage, RunPlan } from '../protocol';
import { BACKENDS } from '../protocol';

const JOB_EVENTS = new Set(['job-started', 'log', 'metric', 'plot', 'image', 'progress', 'artifact', 'job-finished', 'job-cached', 'job-failed', 'job-skipped', 'job-canceled']);

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRef(v: unknown): boolean {
  return isObject(v) && isString(v.sha256) && /^[0-9a-f]{64}$/.test(v.sha256) && isString(v.mediaType) && isString(v.dataType) && isNumber(v.size);
}

function validJobEvent(m: Record<string, unknown>): boolean {
  switch (m.type) {
    case 'job-started':
    case 'job-cached':
    case 'job-canceled':
      return isNumber(m.at);
    case 'log':
      return isNumber(m.at) && isString(m.text) && (m.level === 'info' || m.level === 'warn' || m.level === 'error');
    case 'metric':
      return isString(m.name) && typeof m.value === 'number' && isNumber(m.step);
    case 'plot':
      return isString(m.name) && isObject(m.series) && Object.values(m.series).every((s) => Array.isArray(s) && s.every((n) => typeof n === 'number'));
    case 'image':
      return isString(m.name) && isNumber(m.width) && isNumber(m.height) && m.png instanceof Uint8Array;
    case 'progress':
      return isNumber(m.fraction);
    case 'artifact':
      return isString(m.name) && isRef(m.ref) && m.bytes instanceof Uint8Array && (m.port === undefined || isString(m.port)) && (m.artifactId === undefined || isString(m.artifactId));
    case 'job-finished':
      return isNumber(m.at) && isObject(m.outputs) && Object.values(m.outputs).every(isRef);
    case 'job-failed':
      return isNumber(m.at) && isObject(m.error) && isString(m.error.message) && (m.error.line === undefined || isNumber(m.error.line));
    case 'job-skipped':
      return isString(m.reason);
    default:
      return false;
  }
}

/** The message as an EngineMessage about this plan, or undefined when it is malformed or about something else. */
export function checkEngineMessage(message: unknown, plan: RunPlan): EngineMessage | undefined {
  if (!isObject(message) || !isString(message.type)) return undefined;
  const m = message;
  if (JOB_EVENTS.has(message.type)) {
    return isString(m.jobId) && plan.jobs.some((j) => j.jobId === m.jobId) && validJobEvent(m) ? (m as EngineMessage) : undefined;
  }
  switch (m.type) {
    case 'ready':
      return isNumber(m.protocol) ? (m as EngineMessage) : undefined;
    case 'device':
      return (BACKENDS as readonly string[]).includes(String(m.backend)) && isString(m.reason) && isString(m.tfjsVersion) ? (m as EngineMessage) : undefined;
    case 'request':
      if (!Number.isInteger(m.requestId)) return undefined;
      if (m.what === 'artifact') return isString(m.sha256) ? (m as EngineMessage) : undefined;
      return m.what === 'data' && (m.name === 'iris' || m.name === 'mnist') ? (m as EngineMessage) : undefined;
    case 'run-finished':
      return (m.status === 'succeeded' || m.status === 'failed' || m.status === 'canceled') && isNumber(m.at) ? (m as EngineMessage) : undefined;
    default:
      return undefined;
  }
}

/** The hashes a run may read: its artifact inputs, its cached outputs, and the artifacts its operations reference. */
export function readableHashes(plan: RunPlan): Set<string> {
  const hashes = new Set<string>();
  for (const job of plan.jobs) {
    for (const source of Object.values(job.inputs)) if (source.kind === 'artifact') hashes.add(source.sha256);
    for (const ref of Object.values(job.cached ?? {})) hashes.add(ref.sha256);
    for (const reference of Object.values(job.references)) {
      if (isObject(reference) && isString(reference.sha256)) hashes.add(reference.sha256);
    }
  }
  return hashes;
}

/**
 * The sandbox operation code runs in: a hidden `<iframe sandbox="allow-scripts">` (an opaque origin, so no access
 * to the app's IndexedDB, localStorage or caches, and no way into the page) whose document has a CSP with no
 * network at all (connect-src only blob:). The iframe starts the engine worker from a data: URL, so the worker
 * shares its opaque origin and its CSP, and is a secure context (WebGPU, crypto.subtle) — a blob: worker made in an
 * opaque origin is not, and cannot be a module worker either, so the bundle runs as a classic script. The page fetches the worker bundle and the WASM binaries itself (from the
 * service worker's precache when offline) and hands them over; after that the page and the worker talk directly
 * over a MessageChannel. The page accepts messages from the iframe only from that iframe's window, with origin
 * "null" and the nonce it put in the iframe's document.
 */
import { randomId } from '../../lib/ids';
import { ENGINE_WORKER_URL, WASM_BINARY_URLS } from '../worker/assets';
import { EngineError, type EngineTransport } from './remote-engine';

/** What the sandbox is given: the worker's code and the WASM binaries by file name. */
export interface SandboxAssets {
  code: string;
  wasm: Record<string, ArrayBuffer>;
}

/** The sandbox document's policy: scripts only by nonce, eval for operation code and WASM, no network. */
export function sandboxPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'unsafe-eval' 'wasm-unsafe-eval'`,
    'worker-src data:',
    'connect-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Runs inside the iframe (stringified into its document): starts the worker when the page says so, passes it the
 * page's port, and terminates it on request. It trusts only its parent window, and only with the nonce.
 */
function bootstrap(nonce: string): void {
  let worker: Worker | undefined;
  addEventListener('message', (event: MessageEvent) => {
    const m = event.data as { type?: string; nonce?: string; code?: string; wasm?: Record<string, ArrayBuffer> } | null;
    if (event.source !== parent || !m || m.nonce !== nonce) return;
    if (m.type === 'start' && !worker && event.ports[0]) {
      // A data: worker (unlike a blob: one) is a secure context here, which WebGPU and crypto.subtle need; the
      // bundle is too large for a URL, so the worker is a loader that evaluates the code it is sent first.
      const loader = 'self.onmessage = (e) => { self.onmessage = null; (0, eval)(e.data); };';
      worker = new Worker(`data:text/javascript,${encodeURIComponent(loader)}`, { name: 'DeepForge engine' });
      worker.onerror = (e) => parent.postMessage({ type: 'worker-error', nonce, message: e.message || 'the engine worker could not start' }, '*');
      worker.postMessage(m.code);
      worker.postMessage({ port: event.ports[0], wasm: m.wasm }, [event.ports[0]]);
    } else if (m.type === 'terminate') {
      worker?.terminate();
      worker = undefined;
    }
  });
  parent.postMessage({ type: 'sandbox-ready', nonce }, '*');
}

export function sandboxDocument(nonce: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${sandboxPolicy(nonce)}"></head><body><script nonce="${nonce}">(${bootstrap.toString()})(${JSON.stringify(nonce)});</script></body></html>`;
}

/**
 * The worker bundle (an ES module without imports) as a classic script, evaluated by the worker's loader. The
 * function keeps the bundle's top-level names out of the global scope
 * that operation code sees, and strict mode keeps the semantics it had as a module.
 */
function classicScript(moduleCode: string): string {
  const code = moduleCode.replace(/\/\/# sourceMappingURL=\S*\s*$/, '');
  if (/^\s*import\s*[\w{*"']/.test(code) || /\bexport\s*\{[^}]*\}\s*;?\s*$/.test(code)) {
    throw new EngineError('start-failed', 'The engine worker bundle has imports or exports; it must be a single self-contained file.');
  }
  return `(function () {\n'use strict';\n${code}\n})();\n`;
}

let assets: Promise<SandboxAssets> | undefined;
/** Fetched once per page; a failure is not remembered, so the next run tries again. */
export function loadSandboxAssets(options: { withCode?: boolean } = {}): Promise<SandboxAssets> {
  if (options.withCode === false) return fetchAssets(false);
  assets ??= fetchAssets(true).catch((error: unknown) => {
    assets = undefined;
    throw error;
  });
  return assets;
}

async function fetchAssets(withCode: boolean): Promise<SandboxAssets> {
  const get = async (url: string) => {
    const response = await fetch(url);
    if (!response.ok) throw new EngineError('start-failed', `Could not load ${url} (${response.status}); reload the app.`);
    return response;
  };
  const [code, ...binaries] = await Promise.all([
    withCode ? get(ENGINE_WORKER_URL).then((r) => r.text()) : '',
    ...Object.entries(WASM_BINARY_URLS).map(async ([name, url]) => [name, await (await get(url)).arrayBuffer()] as const),
  ]);
  return { code: withCode ? classicScript(code as string) : '', wasm: Object.fromEntries(binaries as Array<readonly [string, ArrayBuffer]>) };
}

const START_TIMEOUT_MS = 15_000;

/** Opens a sandbox with a fresh engine worker in it. */
export async function openSandbox(container: HTMLElement = document.body): Promise<EngineTransport> {
  const { code, wasm } = await loadSandboxAssets();
  const nonce = randomId();
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('aria-hidden', 'true');
  iframe.title = 'DeepForge engine sandbox';
  iframe.tabIndex = -1;
  iframe.style.display = 'none';
  iframe.srcdoc = sandboxDocument(nonce);

  const channel = new MessageChannel();
  const fromSandbox = (event: MessageEvent) => event.source === iframe.contentWindow && event.origin === 'null' && (event.data as { nonce?: string } | null)?.nonce === nonce;
  let onReady: (() => void) | undefined;
  const listener = (event: MessageEvent) => {
    if (!fromSandbox(event)) return;
    const m = event.data as { type: string; message?: string };
    if (m.type === 'sandbox-ready') onReady?.();
    else if (m.type === 'worker-error') transport.onerror?.(String(m.message));
  };
  const close = () => {
    removeEventListener('message', listener);
    channel.port1.close();
    iframe.remove();
  };
  const transport: EngineTransport = {
    send: (message, transfer = []) => channel.port1.postMessage(message, transfer),
    onmessage: null,
    onerror: null,
    terminate() {
      iframe.contentWindow?.postMessage({ type: 'terminate', nonce }, '*');
      close();
    },
  };
  channel.port1.onmessage = (event) => transport.onmessage?.(event.data);
  addEventListener('message', listener);
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      setTimeout(() => reject(new EngineError('start-failed', 'The engine sandbox did not start.')), START_TIMEOUT_MS);
      container.append(iframe);
    });
  } catch (error) {
    close();
    throw error;
  }
  const wasmCopies = Object.fromEntries(Object.entries(wasm).map(([name, buffer]) => [name, buffer.slice(0)]));
  iframe.contentWindow!.postMessage({ type: 'start', nonce, code, wasm: wasmCopies }, '*', [channel.port2, ...Object.values(wasmCopies)]);
  return transport;
}

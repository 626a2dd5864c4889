/**
 * Operation code (an ES module text: `export default async function run(inputs, attributes, references, ctx)`) made
 * runnable without a module loader, so it works under the sandbox's CSP (no blob: module imports needed) and gets
 * its own `tf` and `console`:
 *
 *   - acorn parses it as a module (a syntax error reports its line), refuses `import`, and finds the exports;
 *   - `export default` is overwritten in place by an assignment of the same length and `export ` before named
 *     declarations by spaces, so every line and column stays where the author wrote it;
 *   - the text becomes the body of `new Function('tf', 'console', …)` named `operation-<job>.js` by a sourceURL,
 *     and the line of an error is read from the first stack frame in that file, less the header that V8 adds
 *     (measured once, not assumed).
 */
import { parse, type Program } from 'acorn';

export type OperationFunction = (inputs: Record<string, unknown>, attributes: Record<string, unknown>, references: Record<string, unknown>, ctx: unknown) => unknown;

export interface CompileScope {
  tf: unknown;
  console: Pick<Console, 'log' | 'info' | 'debug' | 'warn' | 'error'>;
}

export class OperationCodeError extends Error {
  override name = 'OperationCodeError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

const EXPORT_SLOT = '__dfExport';
const DEFAULT_ASSIGNMENT = `${EXPORT_SLOT}   =`; // as long as "export default"

function fileName(key: string): string {
  return `operation-${key.replace(/[^\w.-]/g, '_')}.js`;
}

function wrap(code: string, key: string): string {
  return `'use strict';${code}\n;return ${EXPORT_SLOT};\n//# sourceURL=${fileName(key)}`;
}

let headerLines: number | undefined;
/** How many lines the Function constructor puts before the body (2 in V8), found by throwing from body line 1. */
function functionHeaderLines(): number {
  if (headerLines === undefined) {
    try {
      new Function(wrap(`throw new Error('probe')`, 'probe'))();
    } catch (error) {
      const line = Number(new RegExp(`${fileName('probe')}:(\\d+):\\d+`).exec(String((error as Error).stack))?.[1]);
      headerLines = Number.isFinite(line) ? line - 1 : 2;
    }
  }
  return headerLines!;
}

/**
 * The line in the operation's code where `error` was thrown, or undefined when it came from elsewhere (e.g. a tfjs
 * kernel called from a line of the code: then the calling line, the first frame in the operation's file).
 */
export function errorLine(error: unknown, key: string): number | undefined {
  const stack = error instanceof Error ? String(error.stack) : '';
  const match = new RegExp(`${fileName(key).replace(/\./g, '\\.')}:(\\d+):\\d+`).exec(stack);
  if (!match) return undefined;
  const line = Number(match[1]) - functionHeaderLines();
  return line >= 1 ? line : undefined;
}

/** The error's stack with positions in the operation's file given as lines of the operation's code. */
export function mapStack(error: unknown, key: string): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  const header = functionHeaderLines();
  return error.stack.replace(new RegExp(`${fileName(key).replace(/\./g, '\\.')}:(\\d+):(\\d+)`, 'g'), (_m, line: string, column: string) => `${fileName(key)}:${Number(line) - header}:${column}`);
}

function syntaxCheck(code: string): Program {
  try {
    return parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (error) {
    const loc = (error as { loc?: { line: number } }).loc;
    throw new OperationCodeError(`Syntax error in the operation's code: ${(error as Error).message.replace(/ \(\d+:\d+\)$/, '')}`, loc?.line);
  }
}

/** The operation's run function. `key` names its file in stack traces (use the job id). */
export function compileOperation(code: string, key: string, scope: CompileScope): OperationFunction {
  const program = syntaxCheck(code);
  const chars = code.split('');
  let hasDefault = false;
  for (const node of program.body) {
    if (node.type === 'ImportDeclaration') {
      throw new OperationCodeError('Operation code cannot import modules: `tf` and `ctx` are provided, and the sandbox has no network.', node.loc?.start.line);
    }
    if (node.type === 'ExportDefaultDeclaration') {
      hasDefault = true;
      chars.splice(node.start, DEFAULT_ASSIGNMENT.length, ...DEFAULT_ASSIGNMENT.split(''));
    } else if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') {
      if (node.type === 'ExportAllDeclaration' || !node.declaration) {
        throw new OperationCodeError('Only `export default` and `export` before a declaration are supported in operation code.', node.loc?.start.line);
      }
      chars.splice(node.start, 'export'.length, ...'      '.split(''));
    }
  }
  if (!hasDefault) {
    throw new OperationCodeError('The operation\'s code must `export default` a function: export default async function run(inputs, attributes, references, ctx) { … }');
  }
  // The code is the project's, run inside the sandbox: this is the point of the engine.
  const factory = new Function('tf', 'console', EXPORT_SLOT, wrap(chars.join(''), key)) as (tf: unknown, console: unknown, slot: undefined) => unknown;
  let run: unknown;
  try {
    run = factory(scope.tf, scope.console, undefined);
  } catch (error) {
    throw new OperationCodeError(`The operation's code failed while loading: ${(error as Error).message}`, errorLine(error, key));
  }
  if (typeof run !== 'function') throw new OperationCodeError('The operation\'s `export default` must be a function run(inputs, attributes, references, ctx).');
  return run as OperationFunction;
}

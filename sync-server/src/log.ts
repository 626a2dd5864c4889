/**
 * One-line-per-event logging to stdout (errors to stderr), each line starting with an ISO
 * timestamp. `LOG_LEVEL=silent` silences everything (the tests use it).
 */

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  readonly level: LogLevel;
  error(message: string, error?: unknown): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Renders an unknown thrown value for a log line (with the stack where there is one). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export function createLogger(level: LogLevel = 'info'): Logger {
  const enabled = (at: LogLevel) => rank[at] <= rank[level];
  const line = (tag: string, message: string) => `${new Date().toISOString()} ${tag} ${message}\n`;
  return {
    level,
    error(message, error) {
      if (!enabled('error')) return;
      const detail = error === undefined ? '' : `: ${describeError(error)}`;
      process.stderr.write(line('ERROR', message + detail));
    },
    warn(message) {
      if (enabled('warn')) process.stdout.write(line('WARN ', message));
    },
    info(message) {
      if (enabled('info')) process.stdout.write(line('INFO ', message));
    },
    debug(message) {
      if (enabled('debug')) process.stdout.write(line('DEBUG', message));
    },
  };
}

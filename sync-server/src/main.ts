/**
 * `node sync-server/dist/main.js`: start the relay from flags and environment (see config.ts),
 * print where it runs, stop cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { ConfigError, loadConfig, USAGE, type RelayConfig } from './config.js';
import { createLogger, describeError } from './log.js';
import { startRelay, type Relay } from './server.js';

/** This machine's non-internal IPv4 addresses, for the "other machines" hint. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((info): info is NetworkInterfaceInfo => info !== undefined && info.family === 'IPv4' && !info.internal)
    .map(info => info.address);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }

  let config: RelayConfig;
  try {
    config = loadConfig({ argv, env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`DeepForge relay: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  // Last line of defence. automerge-repo starts some background saves with `void promise`, so a
  // failing disk write surfaces as an unhandled rejection; log it loudly and keep serving the
  // other connections rather than dropping every client.
  // These are reported even with LOG_LEVEL=silent.
  const alarm = logger.level === 'silent' ? createLogger('error') : logger;
  process.on('unhandledRejection', reason => {
    alarm.error('unhandled promise rejection (the relay keeps running)', reason);
  });
  process.on('uncaughtException', error => {
    alarm.error('uncaught exception (the relay keeps running)', error);
  });

  // Signals are handled from the start, so one that arrives while the relay is starting up still
  // ends in a clean shutdown once it is up.
  let relay: Relay | undefined;
  let stopRequested = false;
  const shutdown = (current: Relay) =>
    current.close().then(
      () => process.exit(0),
      error => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      console.error(`DeepForge relay: ${signal} again, exiting without waiting.`);
      process.exit(1);
    }
    stopRequested = true;
    logger.info(`${signal} received, shutting down`);
    if (relay) void shutdown(relay);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    relay = await startRelay({
      port: config.port,
      host: config.host,
      dataDir: config.dataDir,
      staticDir: config.staticDir,
      maxMessageBytes: config.maxMessageBytes,
      maxBlobBytes: config.maxBlobBytes,
      rateLimit: config.rateLimit,
      logger,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      console.error(
        `DeepForge relay: port ${config.port} on ${config.host} is already in use.\n` +
          `Stop the other program, or choose another port: PORT=8788 npm start (PORT=0 picks a free one).`,
      );
    } else if (code === 'EACCES') {
      console.error(
        `DeepForge relay: not allowed to listen on ${config.host}:${config.port}. Choose a port above 1023 with PORT=…`,
      );
    } else {
      console.error(`DeepForge relay: could not start: ${describeError(error)}`);
    }
    process.exit(1);
  }

  console.log(`DeepForge is running at ${relay.url}`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    const addresses = lanAddresses();
    for (const address of addresses) console.log(`  from other machines: http://${address}:${relay.port}/`);
    if (addresses.length > 0) {
      console.log('  (plain http on a LAN address is not a secure context: no offline install or WebGPU there)');
    }
  }
  console.log(`Data: documents in ${config.dataDir}/docs, artifacts in ${config.dataDir}/blobs`);
  console.log(`App: ${config.staticDir}`);
  if (!existsSync(path.join(config.staticDir, 'index.html'))) {
    console.warn('  The app is not built yet: run `npm run build` (the relay itself works meanwhile).');
  }
  if (stopRequested) void shutdown(relay);
}

main().catch(error => {
  console.error(`DeepForge relay: ${describeError(error)}`);
  process.exit(1);
});

#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/index.js';
import { exposureWarning } from './exposure.js';
import { createServer } from './server.js';

async function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('cos-direct-server: the upload ticket server. Configured by environment variables; see the README.\n');
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`cos-direct-server: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  for (const warning of config.warnings) process.stderr.write(`cos-direct-server: warning: ${warning}\n`);
  const exposed = exposureWarning(config.options, config.host, config.port);
  if (exposed) process.stderr.write(`cos-direct-server: WARNING: ${exposed}\n`);
  const app = await createServer(config.options);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: finishing in-flight requests`);
    // In-flight requests complete and new ones get 503; keep-alive connections that fall idle meanwhile are
    // closed as they do, and a deadline bounds the whole drain.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    setTimeout(() => {
      app.log.error('in-flight requests did not finish within 30 s');
      process.exit(1);
    }, 30_000).unref();
    app.close().then(
      () => {
        clearInterval(sweep);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    const busy = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(
      `cos-direct-server: cannot listen on ${config.host}:${config.port}: ${busy ? 'the port is in use; set PORT to a free one' : (e as Error).message}\n`,
    );
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`cos-direct-server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

import type { EmulatorOptions, RunningEmulator } from '@cos-direct/emulator';
import { handleOf, type CosEmulatorHandle } from './handle.js';

export interface InProcessCosEmulator extends CosEmulatorHandle {
  /** The emulator itself, for what only one in this process offers: its fault rules, its clock, its stores. */
  emulator: RunningEmulator;
  stop(): Promise<void>;
}

/** The same handle as the container's, served from this process: for machines without Docker. */
export async function startInProcessCosEmulator(options: EmulatorOptions = {}): Promise<InProcessCosEmulator> {
  // Loaded here, not at import: the container path needs none of the emulator's store or server.
  const { startEmulator } = await import('@cos-direct/emulator');
  const emulator = await startEmulator(options);
  const info = emulator.info;
  if (!info.cos.https || !info.caCert) throw new Error('the in-process emulator needs HTTPS (httpsPort must not be false)');
  return {
    ...handleOf({
      http: info.cos.http,
      https: info.cos.https,
      secretId: info.credentials.secretId,
      secretKey: info.credentials.secretKey,
      appId: info.appId,
      region: info.region,
      buckets: info.buckets,
      caCert: info.caCert,
    }),
    emulator,
    stop: () => emulator.close(),
  };
}

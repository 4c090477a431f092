import { CosEmulatorContainer } from './container.js';
import { handleOf, type CosEmulatorHandle, type EmulatorEndpoints } from './handle.js';
import { startInProcessCosEmulator } from './in-process.js';

interface GlobalSetupContext {
  provide(key: 'cosEmulator', value: EmulatorEndpoints): void;
}

/**
 * A vitest globalSetup: starts one emulator for the run, in a container when COS_EMULATOR_MODE=container,
 * otherwise in this process, and provides its endpoints as `cosEmulator`. In tests:
 * `const emulator = cosEmulator(inject('cosEmulator'))`.
 */
export default async function setup(context: GlobalSetupContext): Promise<() => Promise<void>> {
  if (process.env.COS_EMULATOR_MODE === 'container') {
    const started = await new CosEmulatorContainer(process.env.COS_EMULATOR_IMAGE).start();
    context.provide('cosEmulator', endpointsOf(started));
    return async () => {
      await started.stop();
    };
  }
  const emulator = await startInProcessCosEmulator({});
  context.provide('cosEmulator', endpointsOf(emulator));
  return () => emulator.stop();
}

function endpointsOf(h: CosEmulatorHandle): EmulatorEndpoints {
  return {
    http: h.getCosEndpoint(),
    https: h.getCosHttpsEndpoint(),
    secretId: h.getSecretId(),
    secretKey: h.getSecretKey(),
    appId: h.getAppId(),
    region: h.getRegion(),
    buckets: h.getBuckets(),
    caCert: h.getCaCertificate(),
  };
}

/** The handle's getters over the endpoints a globalSetup provided. */
export function cosEmulator(endpoints: EmulatorEndpoints): CosEmulatorHandle {
  return handleOf(endpoints);
}
export type { CosEmulatorHandle, EmulatorEndpoints };

export { CosEmulatorContainer, StartedCosEmulatorContainer, CosEmulatorContainerError, COS_EMULATOR_IMAGE } from './container.js';
export { startInProcessCosEmulator, type InProcessCosEmulator } from './in-process.js';
export type { CosEmulatorHandle, EmulatorEndpoints } from './handle.js';

// `@cos-direct/client/react`: the only module of the package that imports React (an optional peer
// dependency). The main entry never reaches it (test/package.test.ts checks).
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { type BrowserUploadOptions, upload } from './browser.js';
import { type ControlledUploadOptions, createUploadController, type UploadController, type UploadSnapshot } from './upload-controller.js';

export type { UploadSnapshot, UploadStatus } from './upload-controller.js';

/** The browser upload options (signUrl, headers, partSize…), and `locale` for the sentence of a failure. */
export type UseUploadOptions = ControlledUploadOptions<BrowserUploadOptions>;

/** The upload's state, and what the controller can do with it (the same calls, with the same meaning). */
export interface UseUpload extends UploadSnapshot, Pick<UploadController, 'start' | 'pause' | 'resume' | 'cancel' | 'retry' | 'reset'> {}

/**
 * One upload for a component: its status, progress, result or the sentence for its failure, and start,
 * pause, resume, cancel and retry. The options of the latest render are used when a run starts; an upload
 * still running when the component unmounts is cancelled.
 */
export function useUpload(options: UseUploadOptions): UseUpload {
  const latest = useRef(options);
  latest.current = options;
  const [controller] = useState<UploadController>(() => createUploadController(upload, () => latest.current));
  const snapshot = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getSnapshot);
  useEffect(() => () => controller.cancel(), [controller]);
  return {
    ...snapshot,
    start: controller.start,
    pause: controller.pause,
    resume: controller.resume,
    cancel: controller.cancel,
    retry: controller.retry,
    reset: controller.reset,
  };
}

export { createUploadController, type UploadController } from './upload-controller.js';

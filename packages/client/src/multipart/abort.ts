import type { UploadRequest } from './requests.js';

/** Abort Multipart Upload: COS drops the parts sent so far, and the upload id is gone. */
export async function abortUpload(request: UploadRequest, uploadId: string, signal?: AbortSignal): Promise<void> {
  await request({ what: 'Abort Multipart Upload', method: 'DELETE', query: { uploadId }, headers: {}, ...(signal ? { signal } : {}) });
}

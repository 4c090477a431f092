// The Uppy page: Uppy's Dashboard with @cos-direct/uppy, and Golden Retriever so that a reload keeps the
// files and a multipart upload picks up where it stopped.
import CosDirect, { type CosDirectBody } from '@cos-direct/uppy';
import Uppy, { type Meta } from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GoldenRetriever from '@uppy/golden-retriever';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { describeLimits, fetchLimits } from './limits.js';

const config: { signUrl: string } = await fetch('/config.json').then((r) => r.json());
const params = new URLSearchParams(location.search);
const numberParam = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const limits = await fetchLimits(config.signUrl);
document.querySelector('#limits')!.textContent = describeLimits(limits);
document.querySelector('#server')!.textContent = `Sign server: ${config.signUrl}`;

const uppy = new Uppy<Meta, CosDirectBody>({
  restrictions: limits
    ? { allowedFileTypes: limits.allowedExtensions.map((e) => `.${e}`), maxFileSize: limits.maxBytes ?? null }
    : undefined,
})
  .use(Dashboard, { inline: true, target: '#uppy', proudlyDisplayPoweredByUppy: false, width: '100%', height: 420 })
  .use(GoldenRetriever)
  .use(CosDirect, {
    signUrl: config.signUrl,
    partSize: numberParam('partSize'),
    concurrency: numberParam('concurrency'),
    multipartThreshold: numberParam('threshold'),
    confirm: true,
  });
// A file the sign server made a thumbnail of is shown through it: the copy COS stored, not the local file.
uppy.on('upload-success', (file, response) => {
  const thumbnail = response.body?.confirmed?.thumbnail;
  if (file && thumbnail && 'downloadUrl' in thumbnail && thumbnail.downloadUrl)
    uppy.setFileState(file.id, { preview: thumbnail.downloadUrl });
});
// For the browser tests and the curious: the uploaded keys are in uppy.getFiles()[i].response.body.
(window as unknown as { uppy: typeof uppy }).uppy = uppy;

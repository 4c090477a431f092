// The Uppy page: Uppy's Dashboard with @cos-direct/uppy, which reads the server's /limits as restrictions,
// offers pause and resume, and links finished files. Golden Retriever keeps the files over a reload; without
// it (?goldenRetriever=0) a file added again resumes its multipart upload from the client's own resume state.
import CosDirect, { type CosDirectBody } from '@cos-direct/uppy';
import Uppy, { type Meta } from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GoldenRetriever from '@uppy/golden-retriever';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { describeLimits } from './limits.js';

const config: { signUrl: string } = await fetch('/config.json').then((r) => r.json());
const params = new URLSearchParams(location.search);
const numberParam = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const flag = (name: string) => params.get(name) !== '0';
document.querySelector('#server')!.textContent = `Sign server: ${config.signUrl}`;

const uppy = new Uppy<Meta, CosDirectBody>().use(Dashboard, {
  inline: true,
  target: '#uppy',
  proudlyDisplayPoweredByUppy: false,
  showLinkToFileUploadResult: true,
  width: '100%',
  height: 420,
});
if (flag('goldenRetriever')) uppy.use(GoldenRetriever);
uppy.use(CosDirect, {
  signUrl: config.signUrl,
  partSize: numberParam('partSize'),
  concurrency: numberParam('concurrency'),
  multipartThreshold: numberParam('threshold'),
  restrictionsFromServer: flag('restrictions'),
});
const limits = await (uppy.getPlugin('CosDirect') as CosDirect<Meta, CosDirectBody>).limits;
const sizes = [limits?.maxSize, limits?.maxMultipartSize].filter((n): n is number => typeof n === 'number' && n > 0);
document.querySelector('#limits')!.textContent = describeLimits(
  limits && { allowedExtensions: limits.allowedExtensions, maxBytes: sizes.length ? Math.min(...sizes) : undefined },
);
// For the browser tests and the curious: the uploaded keys are in uppy.getFiles()[i].response.body.
(window as unknown as { uppy: typeof uppy }).uppy = uppy;

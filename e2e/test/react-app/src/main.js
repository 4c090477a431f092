// A React app as a user would write it against the published @cos-direct/client: one file picker, the
// upload's controls and state from useUpload, and the uploads a reload left unfinished, to resume (by
// picking the file again) or discard. The page's query names the sign server.
import { abandonUpload, pendingUploads } from '@cos-direct/client';
import { useUpload } from '@cos-direct/client/react';
import { createElement as h, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

const params = new URLSearchParams(location.search);
const signUrl = params.get('signUrl');
const multipartThreshold = Number(params.get('threshold') ?? 1024 * 1024);

function App() {
  const [file, setFile] = useState(null);
  const upload = useUpload({ signUrl, multipartThreshold, partSize: 1024 * 1024, concurrency: 1 });
  const { status } = upload;
  const [pending, setPending] = useState([]);
  // Read again as the upload moves on: a run that starts or finishes adds or removes a saved upload.
  useEffect(() => {
    pendingUploads().then(setPending);
  }, [status]);
  const discard = (id) => abandonUpload(id, { signUrl }).then(() => pendingUploads().then(setPending));
  return h(
    'main',
    null,
    h(
      'ul',
      { id: 'pending' },
      pending.map((p) =>
        h(
          'li',
          { key: p.id },
          h('span', { className: 'name' }, p.name),
          ' ',
          h('span', { className: 'progress' }, `${Math.round(p.progress * 100)}%`),
          ' ',
          h('button', { type: 'button', className: 'discard', onClick: () => discard(p.id) }, 'Discard'),
        ),
      ),
    ),
    h('input', { id: 'file', type: 'file', onChange: (e) => setFile(e.target.files[0] ?? null) }),
    h('button', { type: 'button', id: 'start', disabled: !file || status === 'uploading', onClick: () => upload.start(file) }, 'Upload'),
    h('button', { type: 'button', id: 'pause', disabled: status !== 'uploading', onClick: upload.pause }, 'Pause'),
    h('button', { type: 'button', id: 'resume', disabled: status !== 'paused', onClick: upload.resume }, 'Resume'),
    h(
      'button',
      { type: 'button', id: 'cancel', disabled: status !== 'uploading' && status !== 'paused', onClick: upload.cancel },
      'Cancel',
    ),
    status === 'failed' && upload.canRetry ? h('button', { type: 'button', id: 'retry', onClick: upload.retry }, 'Retry') : null,
    h('progress', { id: 'progress', max: 1, value: upload.progress }),
    h('p', { id: 'status' }, status),
    upload.message ? h('p', { id: 'message', role: 'alert' }, upload.message) : null,
    upload.result ? h('p', { id: 'key' }, upload.result.key) : null,
    upload.result ? h('p', { id: 'parts' }, String(upload.result.partsUploaded ?? 0)) : null,
  );
}

createRoot(document.getElementById('root')).render(h(StrictMode, null, h(App)));

import { CosDirectError, upload } from '@cos-direct/client/browser';

const list = document.querySelector<HTMLUListElement>('#uploads')!;
const input = document.querySelector<HTMLInputElement>('#files')!;
const drop = document.querySelector<HTMLLabelElement>('#drop')!;
const serverLine = document.querySelector<HTMLParagraphElement>('#server')!;

const config: Promise<{ signUrl: string }> = fetch('/config.json').then((r) => r.json());
// Tuning from the address bar, e.g. ?partSize=1048576&concurrency=2&threshold=1048576
const params = new URLSearchParams(location.search);
const numberParam = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const tuning = { partSize: numberParam('partSize'), concurrency: numberParam('concurrency'), multipartThreshold: numberParam('threshold') };
config.then((c) => (serverLine.textContent = `Sign server: ${c.signUrl}`));

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function describe(error: unknown): string {
  if (error instanceof CosDirectError) {
    const parts = [error.message];
    if (error.requestId) parts.push(`request id ${error.requestId}`);
    return `${error.code}: ${parts.join(' · ')}`;
  }
  return String(error);
}

async function start(file: File) {
  const item = document.createElement('li');
  item.innerHTML = `<div class="name"></div><progress max="1" value="0"></progress><div class="status">waiting for a ticket…</div>`;
  item.querySelector('.name')!.textContent = `${file.name} (${formatBytes(file.size)})`;
  list.prepend(item);
  const bar = item.querySelector('progress')!;
  const status = item.querySelector<HTMLDivElement>('.status')!;
  const { signUrl } = await config;
  try {
    const result = await upload(file, {
      signUrl,
      ...tuning,
      onProgress: (sent, total) => {
        bar.value = total ? sent / total : 1;
        status.textContent = `${Math.floor((total ? sent / total : 1) * 100)}% · ${formatBytes(sent)} of ${formatBytes(total)}`;
      },
    });
    bar.value = 1;
    item.classList.add('done');
    item.dataset.key = result.key;
    status.innerHTML = '';
    // A private object opens only through a presigned URL; without one the key is shown as text.
    let name: Node = document.createTextNode(result.key);
    if (result.downloadUrl) {
      const link = document.createElement('a');
      link.href = result.downloadUrl;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = result.key;
      name = link;
    }
    status.append('Uploaded: ', name, ` · ${formatBytes(result.size)} · ETag ${result.etag}`);
    if (result.method === 'multipart') {
      item.dataset.partsUploaded = String(result.partsUploaded);
      status.append(` · ${result.partsUploaded} part(s) sent from this page load`);
    }
  } catch (error) {
    item.classList.add('failed');
    status.textContent = describe(error);
  }
}

input.addEventListener('change', () => {
  for (const file of Array.from(input.files ?? [])) void start(file);
  input.value = '';
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  for (const file of Array.from(e.dataTransfer?.files ?? [])) void start(file);
});

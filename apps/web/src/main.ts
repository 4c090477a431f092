import { type ConfirmedThumbnail, upload } from '@cos-direct/client/browser';
import { describeLimits, fetchLimits, formatBytes, type Limits, refusal } from './limits.js';
import { explain } from './messages.js';

const $ = <T extends Element>(selector: string, root: ParentNode = document) => root.querySelector<T>(selector)!;
const list = $<HTMLUListElement>('#uploads');
const input = $<HTMLInputElement>('#files');
const drop = $<HTMLLabelElement>('#drop');
const serverLine = $<HTMLParagraphElement>('#server');
const limitsLine = $<HTMLParagraphElement>('#limits');
const totalBox = $<HTMLElement>('#total');
const totalBar = $<HTMLProgressElement>('progress', totalBox);
const totalText = $<HTMLDivElement>('.total-text', totalBox);

const config: Promise<{ signUrl: string }> = fetch('/config.json').then((r) => r.json());
// Tuning from the address bar, e.g. ?partSize=1048576&concurrency=2&threshold=1048576; ?check=server skips
// the page's own checks, to show what the sign server and the storage answer instead.
const params = new URLSearchParams(location.search);
const numberParam = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const tuning = { partSize: numberParam('partSize'), concurrency: numberParam('concurrency'), multipartThreshold: numberParam('threshold') };
const pageChecks = params.get('check') !== 'server';
config.then((c) => (serverLine.textContent = `Sign server: ${c.signUrl}`));
const limits: Promise<Limits | undefined> = config.then((c) => fetchLimits(c.signUrl));
limits.then((l) => {
  limitsLine.textContent = describeLimits(l);
  if (l && pageChecks) input.accept = l.allowedExtensions.map((e) => `.${e}`).join(',');
});

type State = 'uploading' | 'done' | 'failed' | 'cancelled' | 'refused';
interface Item {
  file: File;
  el: HTMLLIElement;
  state: State;
  sent: number;
  controller?: AbortController;
  thumb?: string;
  /** Counts toward the total bar: every file of this page load that was not refused on the spot or removed. */
  counted: boolean;
}
const items = new Set<Item>();

// Speed over the last few seconds of all uploads, for the total bar's rate and time left.
let samples: Array<[number, number]> = [];
function updateTotal() {
  const counted = [...items].filter((i) => i.counted);
  const active = counted.filter((i) => i.state === 'uploading');
  totalBox.hidden = counted.length === 0;
  if (!counted.length) return;
  const total = counted.reduce((n, i) => n + i.file.size, 0);
  const sent = counted.reduce((n, i) => n + (i.state === 'done' ? i.file.size : i.sent), 0);
  totalBar.value = total ? sent / total : 1;
  const done = counted.filter((i) => i.state === 'done').length;
  const now = performance.now();
  samples.push([now, sent]);
  samples = samples.filter(([t]) => now - t < 5000);
  const [t0, s0] = samples[0]!;
  const rate = now - t0 > 300 ? ((sent - s0) * 1000) / (now - t0) : 0;
  const parts = [
    `${done} of ${counted.length} file${counted.length === 1 ? '' : 's'} done`,
    `${formatBytes(sent)} of ${formatBytes(total)}`,
  ];
  if (active.length) {
    if (rate > 0) parts.push(`${formatBytes(rate)}/s`, `about ${formatDuration((total - sent) / rate)} left`);
  } else {
    const failed = counted.length - done;
    if (failed) parts.push(`${failed} not uploaded`);
  }
  totalText.textContent = parts.join(' · ');
  totalBox.dataset.state = active.length ? 'uploading' : 'idle';
}
function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  return s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function button(cls: string, label: string, file: File, onClick: () => void) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = label;
  b.setAttribute('aria-label', `${label} ${file.name}`);
  b.addEventListener('click', onClick);
  return b;
}

function setState(item: Item, state: State) {
  item.state = state;
  item.el.className = state;
  $<HTMLButtonElement>('.cancel', item.el).hidden = state !== 'uploading';
  $<HTMLButtonElement>('.retry', item.el).hidden = !(state === 'failed' || state === 'cancelled');
  updateTotal();
}

function add(file: File) {
  const el = document.createElement('li');
  el.innerHTML =
    '<div class="thumb" aria-hidden="true"></div><div class="body"><div class="name"></div><div class="size muted"></div>' +
    '<progress max="1" value="0"></progress><div class="reached muted" hidden></div><div class="status"></div>' +
    '<details class="details" hidden><summary>Details</summary><dl></dl></details></div><div class="actions"></div>';
  const item: Item = { file, el, state: 'uploading', sent: 0, counted: false };
  $('.name', el).textContent = file.name;
  $('.size', el).textContent = formatBytes(file.size);
  const thumb = $<HTMLDivElement>('.thumb', el);
  if (file.type.startsWith('image/')) {
    item.thumb = URL.createObjectURL(file);
    const img = document.createElement('img');
    img.alt = '';
    img.src = item.thumb;
    // Not every image type the server takes is one the browser can show.
    img.onerror = () => img.remove();
    thumb.append(img);
  } else {
    thumb.textContent = (file.name.split('.').pop() ?? '').slice(0, 4).toUpperCase();
  }
  $('.actions', el).append(
    button('cancel', 'Cancel', file, () => item.controller?.abort()),
    button('retry', 'Retry', file, () => void start(item)),
    button('remove', 'Remove', file, () => remove(item)),
  );
  items.add(item);
  list.prepend(el);
  void start(item);
}

function remove(item: Item) {
  item.controller?.abort();
  items.delete(item);
  if (item.thumb) URL.revokeObjectURL(item.thumb);
  const next = (item.el.nextElementSibling ?? item.el.previousElementSibling)?.querySelector<HTMLButtonElement>('button.remove');
  item.el.remove();
  (next ?? input).focus();
  updateTotal();
}

async function start(item: Item) {
  const { el, file } = item;
  const bar = $<HTMLProgressElement>('progress', el);
  const status = $<HTMLDivElement>('.status', el);
  const reached = $<HTMLDivElement>('.reached', el);
  const details = $<HTMLDetailsElement>('.details', el);
  details.hidden = true;
  details.open = false;
  bar.value = 0;
  item.sent = 0;
  // The total bar counts every file of the page's session, whichever pick or drop it came from; the speed
  // starts afresh when uploads start again after a pause, so the idle time does not count against it.
  if (![...items].some((i) => i.state === 'uploading' && i !== item)) samples = [];
  item.counted = true;
  reached.hidden = true;
  setState(item, 'uploading');
  status.textContent = 'Checking…';
  const [{ signUrl }, known] = await Promise.all([config, limits]);
  const refused = pageChecks ? refusal(file, known) : undefined;
  if (refused) {
    item.counted = false;
    status.textContent = refused;
    bar.hidden = true;
    setState(item, 'refused');
    return;
  }
  status.textContent = 'Waiting for a ticket…';
  const controller = new AbortController();
  item.controller = controller;
  try {
    const result = await upload(file, {
      signUrl,
      ...tuning,
      confirm: true,
      signal: controller.signal,
      onProgress: (sent, total) => {
        item.sent = sent;
        bar.value = total ? sent / total : 1;
        status.textContent = `${Math.floor((total ? sent / total : 1) * 100)}% · ${formatBytes(sent)} of ${formatBytes(total)}`;
        updateTotal();
      },
    });
    if (!items.has(item)) return;
    bar.value = 1;
    el.dataset.key = result.key;
    status.textContent = '';
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
    showThumbnail(item, result.confirmed?.thumbnail);
    if (result.method === 'multipart') {
      el.dataset.partsUploaded = String(result.partsUploaded);
      status.append(` · ${result.partsUploaded} part(s) sent from this page load`);
    }
    setState(item, 'done');
  } catch (error) {
    if (!items.has(item)) return;
    const failure = explain(error, file, known);
    status.textContent = failure.message;
    const dl = $<HTMLDListElement>('dl', details);
    dl.replaceChildren();
    for (const [term, value] of failure.details) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.term = term;
      dl.append(dt, dd);
    }
    details.hidden = false;
    // What the bar reached, said in words: a bar that got to the end reads as done unless the row says otherwise.
    reached.textContent =
      item.sent >= file.size
        ? `Not stored: all ${formatBytes(file.size)} were sent, then the upload failed.`
        : `Stopped at ${formatBytes(item.sent)} of ${formatBytes(file.size)}.`;
    reached.hidden = false;
    setState(item, controller.signal.aborted ? 'cancelled' : 'failed');
    if (!failure.retryable) $<HTMLButtonElement>('.retry', el).hidden = true;
  } finally {
    if (item.controller === controller) item.controller = undefined;
  }
}

/**
 * The copy the sign server had COS make (its THUMBNAIL_RULE), in place of the local preview once it loads;
 * without one (no rule, not an image, or COS could not make it) the local preview stays.
 */
function showThumbnail(item: Item, thumbnail: ConfirmedThumbnail | undefined) {
  if (!thumbnail || !('downloadUrl' in thumbnail) || !thumbnail.downloadUrl) return;
  const img = document.createElement('img');
  img.alt = '';
  img.onload = () => {
    if (!items.has(item)) return;
    $<HTMLDivElement>('.thumb', item.el).replaceChildren(img);
    item.el.dataset.thumbnail = thumbnail.key;
  };
  img.src = thumbnail.downloadUrl;
}

const pick = (files: FileList | null | undefined) => {
  for (const file of Array.from(files ?? [])) add(file);
};
input.addEventListener('change', () => {
  pick(input.files);
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
  pick(e.dataTransfer?.files);
});

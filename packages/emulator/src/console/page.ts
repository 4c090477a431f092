/**
 * The console: one self-contained page (no framework, no build step), served at //_emulator/console.
 * It talks to the JSON endpoints beside it; every URL is built from location.origin, because a path
 * starting with "//" alone would be read as another host.
 */
export const CONSOLE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cos-emulator console</title>
<link rel="icon" href="data:,">
<style>
:root { --bg:#f6f7f9; --panel:#fff; --ink:#1c2330; --mute:#6b7586; --line:#e3e6eb; --acc:#0a66c2; --ok:#1a7f37; --warn:#9a6700; --bad:#cf222e; --inj:#8250df; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
header { display:flex; flex-wrap:wrap; gap:.5rem 1.5rem; align-items:center; padding:.7rem 1.2rem; background:#0f1724; color:#e8edf5; }
header h1 { font-size:1rem; margin:0; font-weight:600; letter-spacing:.02em; }
header h1 span { color:#7cc4ff; }
header .meta { font-size:.8rem; color:#9fb0c6; font-family:var(--mono); overflow-wrap:anywhere; }
nav { display:flex; gap:.25rem; padding:0 1.2rem; background:#0f1724; }
nav button { background:none; border:0; color:#9fb0c6; padding:.5rem .8rem; font:inherit; cursor:pointer; border-bottom:2px solid transparent; }
nav button[aria-selected=true] { color:#fff; border-color:#7cc4ff; }
nav .count { display:inline-block; min-width:1.4em; padding:0 .35em; margin-left:.3em; border-radius:1em; background:#cf222e; color:#fff; font-size:.75em; }
main { padding:1rem 1.2rem; }
section[hidden] { display:none; }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; }
.grid { display:grid; grid-template-columns:minmax(0,3fr) minmax(0,2fr); gap:1rem; }
@media (max-width: 760px) { .grid { grid-template-columns:1fr; } main { padding:.6rem; } header { padding:.6rem; } nav { padding:0 .4rem; overflow-x:auto; } .hide-narrow { display:none; } }
.toolbar { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; padding:.6rem .8rem; border-bottom:1px solid var(--line); }
.crumbs a { color:var(--acc); text-decoration:none; cursor:pointer; }
select, input, textarea, button.btn { font:inherit; border:1px solid var(--line); border-radius:6px; padding:.3rem .5rem; background:#fff; color:var(--ink); }
button.btn { cursor:pointer; }
button.btn.primary { background:var(--acc); color:#fff; border-color:var(--acc); }
button.btn.danger { color:var(--bad); }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:.38rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:500; color:var(--mute); font-size:.8rem; background:#fafbfc; position:sticky; top:0; }
tbody tr { cursor:pointer; }
tbody tr:hover { background:#f2f6fb; }
tr.sel { background:#e8f1fb !important; }
td.time { white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.mono { font-family:var(--mono); font-size:.85em; overflow-wrap:anywhere; }
.scroll { max-height:70vh; overflow:auto; }
.st { font-family:var(--mono); font-weight:600; } .rcode { font-family:var(--mono); font-size:.85em; color:var(--bad); }
.s2 { color:var(--ok); } .s3 { color:var(--acc); } .s4 { color:var(--warn); } .s5, .s0 { color:var(--bad); }
.badge { display:inline-block; padding:0 .4em; border-radius:4px; font-size:.75em; background:#f0e9ff; color:var(--inj); border:1px solid #d8c8fb; white-space:nowrap; }
.badge.ref { background:#fff1f0; color:var(--bad); border-color:#ffd0cc; }
.details { padding:.8rem 1rem; }
.details h2 { font-size:1rem; margin:.1rem 0 .6rem; overflow-wrap:anywhere; }
dl { display:grid; grid-template-columns:max-content minmax(0,1fr); gap:.25rem .8rem; margin:0 0 .8rem; }
dt { color:var(--mute); } dd { margin:0; }
.preview { border:1px dashed var(--line); border-radius:6px; padding:.5rem; max-height:40vh; overflow:auto; background:#fafbfc; }
.preview img { max-width:100%; display:block; margin:auto; }
.process h3 { font-size:.9rem; margin:.8rem 0 .3rem; } .process form { margin-bottom:.3rem; }
.preview pre { margin:0; white-space:pre-wrap; font-family:var(--mono); font-size:.8rem; }
.empty { color:var(--mute); padding:1.2rem; text-align:center; }
.explain { padding:.8rem 1rem; }
.explain .code { font-size:1.1rem; font-weight:600; color:var(--bad); }
.explain .reason { margin:.3rem 0 .8rem; }
.stmt { background:#fff8c5; border-radius:3px; padding:0 .2em; }
.sbs { display:grid; grid-template-columns:1fr 1fr; gap:.6rem; }
@media (max-width: 760px) { .sbs { grid-template-columns:1fr; } }
.sbs h3 { font-size:.8rem; color:var(--mute); font-weight:500; margin:.2rem 0; }
.sts { font-family:var(--mono); font-size:.78rem; background:#fafbfc; border:1px solid var(--line); border-radius:6px; padding:.4rem; white-space:pre-wrap; overflow-wrap:anywhere; min-height:5em; margin:0; }
.sts .line { display:block; }
.sts .line.diff { background:#fff5f5; }
mark { background:#ffcecb; color:inherit; border-radius:2px; }
mark.ins { background:#aceebb; }
textarea.sts { width:100%; resize:vertical; }
.hint { color:var(--mute); font-size:.8rem; }
.live { display:inline-flex; align-items:center; gap:.35rem; font-size:.8rem; color:var(--mute); }
.live i { width:.55rem; height:.55rem; border-radius:50%; background:#bbb; display:inline-block; }
.live.on i { background:#2da44e; box-shadow:0 0 0 3px #2da44e33; }
.rules td { cursor:default; }
/* Drawn, not an emoji: machines without an emoji font (containers, CI browsers) would show a box. */
.icon-folder { display:inline-block; position:relative; width:1em; height:.72em; margin:0 .4em 0 0; vertical-align:-.05em; background:#d4a72c; border-radius:1px 2px 2px 2px; }
.icon-folder::before { content:''; position:absolute; left:0; top:-.16em; width:.45em; height:.2em; background:#d4a72c; border-radius:2px 2px 0 0; }
</style>
</head>
<body>
<header>
  <h1><span>cos-emulator</span> console</h1>
  <div class="meta" id="meta">…</div>
</header>
<nav role="tablist">
  <button role="tab" data-tab="objects" aria-selected="true">Objects</button>
  <button role="tab" data-tab="requests" aria-selected="false">Requests<span class="count" id="refusal-count" hidden>0</span></button>
  <button role="tab" data-tab="faults" aria-selected="false">Faults</button>
</nav>
<main>
<section id="tab-objects">
  <div class="grid">
    <div class="panel">
      <div class="toolbar">
        <select id="bucket" aria-label="Bucket"></select>
        <span class="crumbs" id="crumbs"></span>
        <span style="flex:1"></span>
        <button class="btn" id="refresh-objects">Refresh</button>
      </div>
      <div class="scroll"><table id="objects"><thead><tr><th>Name</th><th class="num">Size</th><th class="hide-narrow">Type</th><th class="hide-narrow">Last modified</th></tr></thead><tbody></tbody></table></div>
    </div>
    <div class="panel details" id="object-details"><div class="empty">Choose an object to see its ETag, CRC-64, metadata and a preview.</div></div>
  </div>
</section>
<section id="tab-requests" hidden>
  <div class="grid">
    <div class="panel">
      <div class="toolbar">
        <select id="f-status" aria-label="Status filter">
          <option value="">all statuses</option><option value="2">2xx</option><option value="3">3xx</option><option value="4">4xx</option><option value="5">5xx</option>
          <option value="refused">refused</option><option value="injected">injected faults</option>
        </select>
        <select id="f-op" aria-label="Operation filter"><option value="">all operations</option></select>
        <input id="f-text" placeholder="key contains…" aria-label="Key filter" size="12">
        <span style="flex:1"></span>
        <span class="live" id="live"><i></i><span>connecting</span></span>
      </div>
      <div class="scroll"><table id="requests"><thead><tr><th>Time</th><th>Request</th><th class="hide-narrow">Operation</th><th class="num">Status</th><th class="num hide-narrow">ms</th><th class="hide-narrow">Identity</th></tr></thead><tbody></tbody></table></div>
    </div>
    <div class="panel" id="explain"><div class="empty">Choose a request. A refused one (4xx, 5xx) is explained here: its code, the emulator's reason, the policy statement that decided, and for a signature mismatch the string to sign.</div></div>
  </div>
</section>
<section id="tab-faults" hidden>
  <div class="panel">
    <div class="toolbar"><strong>Fault rules</strong><span class="hint">Make COS fail on purpose: an error status, latency, a reset connection or a truncated body.</span></div>
    <div class="scroll"><table class="rules" id="rules"><thead><tr><th>Rule</th><th>Selects</th><th>Does</th><th class="num">Hits</th><th class="num">Left</th></tr></thead><tbody></tbody></table></div>
    <div class="details">
      <label for="rules-json" class="hint">Rules as JSON (PUT //_emulator/faults takes the same):</label>
      <textarea id="rules-json" class="sts" rows="6" spellcheck="false">{"rules":[{"operation":"PutObject","status":503,"code":"SlowDown","count":2}]}</textarea>
      <p><button class="btn primary" id="apply-rules">Apply</button> <button class="btn danger" id="clear-rules">Clear all</button> <span id="rules-msg" class="hint"></span></p>
    </div>
  </div>
</section>
</main>
<script>
(function () {
  'use strict';
  var base = location.origin + '//_emulator/';
  var $ = function (sel) { return document.querySelector(sel); };
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'class') el.className = attrs[k];
      else if (k === 'text') el.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== undefined && attrs[k] !== null) el.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c !== null && c !== undefined) el.append(c); });
    return el;
  }
  function api(path, init) {
    return fetch(base + path, init).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error((body.error && body.error.message) || r.status); return body; });
    });
  }
  function size(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'; }
  function when(iso) { var d = new Date(iso); return d.toLocaleString(); }
  function q(params) { return new URLSearchParams(params).toString(); }

  // Tabs
  document.querySelectorAll('nav button').forEach(function (b) {
    b.addEventListener('click', function () { show(b.dataset.tab); });
  });
  function show(tab) {
    document.querySelectorAll('nav button').forEach(function (b) { b.setAttribute('aria-selected', String(b.dataset.tab === tab)); });
    document.querySelectorAll('main > section').forEach(function (s) { s.hidden = s.id !== 'tab-' + tab; });
    if (tab === 'faults') loadRules();
    if (location.hash !== '#' + tab) history.replaceState(null, '', '#' + tab);
  }

  api('health').then(function (hl) { $('#meta').textContent = location.host + ' · buckets ' + hl.buckets.join(', '); });

  // Objects
  var state = { bucket: '', prefix: '' };
  function loadBuckets() {
    return api('api/buckets').then(function (b) {
      var sel = $('#bucket'); sel.textContent = '';
      b.buckets.forEach(function (x) { sel.append(h('option', { value: x.name, text: x.name })); });
      if (!state.bucket && b.buckets[0]) state.bucket = b.buckets[0].name;
      sel.value = state.bucket;
      return loadObjects();
    });
  }
  $('#bucket').addEventListener('change', function (e) { state.bucket = e.target.value; state.prefix = ''; loadObjects(); });
  $('#refresh-objects').addEventListener('click', function () { loadObjects(); });
  function crumbs() {
    var c = $('#crumbs'); c.textContent = '';
    var parts = state.prefix.split('/').filter(Boolean);
    c.append(h('a', { text: '/', onclick: function () { state.prefix = ''; loadObjects(); } }));
    parts.forEach(function (p, i) {
      var pre = parts.slice(0, i + 1).join('/') + '/';
      c.append(' ', h('a', { text: p + '/', onclick: function () { state.prefix = pre; loadObjects(); } }));
    });
  }
  function loadObjects(marker) {
    crumbs();
    return api('api/objects?' + q({ bucket: state.bucket, prefix: state.prefix, marker: marker || '' })).then(function (list) {
      var tb = $('#objects tbody');
      if (marker) { var more = tb.querySelector('tr.more'); if (more) more.remove(); } else tb.textContent = '';
      list.folders.forEach(function (f) {
        tb.append(h('tr', { class: 'folder', onclick: function () { state.prefix = f; loadObjects(); } }, [
          h('td', {}, [h('i', { class: 'icon-folder', 'aria-hidden': 'true' }), h('span', { text: f.slice(state.prefix.length) })]), h('td', { class: 'num', text: '' }), h('td', { class: 'hide-narrow', text: 'folder' }), h('td', { class: 'hide-narrow' })]));
      });
      list.objects.forEach(function (o) {
        var tr = h('tr', { 'data-key': o.key, onclick: function () { select(tr, o); } }, [
          h('td', { class: 'mono', text: o.key.slice(state.prefix.length) }), h('td', { class: 'num', text: size(o.size) }),
          h('td', { class: 'hide-narrow mono', text: o.contentType }), h('td', { class: 'hide-narrow', text: when(o.lastModified) })]);
        tb.append(tr);
      });
      // A page holds 1,000 entries; the next one is fetched on demand, after the last entry shown.
      if (list.truncated) tb.append(h('tr', { class: 'more', onclick: function () { loadObjects(list.nextMarker); } }, [h('td', { colspan: 4, class: 'empty', text: 'More…' })]));
      if (!marker && !list.folders.length && !list.objects.length) tb.append(h('tr', {}, [h('td', { colspan: 4, class: 'empty', text: 'No objects here yet. Upload one with an SDK, the client or the demo page.' })]));
    });
  }
  function objectUrl(o, extra) { return base + 'api/object?' + q(Object.assign({ bucket: state.bucket, key: o.key }, extra || {})); }
  function select(tr, o) {
    document.querySelectorAll('#objects tr.sel').forEach(function (r) { r.classList.remove('sel'); });
    tr.classList.add('sel');
    var box = $('#object-details'); box.textContent = '';
    var dl = h('dl');
    function row(k, v, mono) { dl.append(h('dt', { text: k }), h('dd', { class: mono ? 'mono' : '', text: v })); }
    row('Size', size(o.size) + ' (' + o.size + ' bytes)');
    row('Type', o.contentType, true);
    row('ETag', '"' + o.etag + '"', true);
    row('CRC-64', o.crc64, true);
    row('Last modified', when(o.lastModified));
    row('ACL', o.acl); row('Storage class', o.storageClass);
    Object.keys(o.headers).forEach(function (k) { if (k !== 'content-type') row(k, o.headers[k], true); });
    Object.keys(o.meta).forEach(function (k) { row(/^x-cos-meta-/.test(k) ? k : 'x-cos-meta-' + k, o.meta[k], true); });
    if (!Object.keys(o.meta).length) row('Metadata', 'none');
    var preview = h('div', { class: 'preview', id: 'preview' });
    var type = o.contentType || '';
    if (/^image\//.test(type)) preview.append(h('img', { src: objectUrl(o), alt: o.key }));
    else if (/^text\/|json|xml|javascript|csv|yaml/.test(type) || /\.(txt|md|json|csv|log|xml|ya?ml)$/i.test(o.key)) {
      fetch(objectUrl(o), { headers: { range: 'bytes=0-65535' } }).then(function (r) { return r.text(); }).then(function (t) {
        preview.append(h('pre', { text: t.length > 65536 ? t.slice(0, 65536) + '\n…' : t }));
      });
    } else preview.append(h('div', { class: 'hint', text: 'No preview for ' + (type || 'this type') + '.' }));
    box.append(h('h2', { class: 'mono', text: o.key }), dl, preview, /^image\//.test(type) ? processor(o) : null, h('p', {}, [
      h('a', { class: 'btn', href: objectUrl(o, { download: '1' }), text: 'Download', download: o.key.split('/').pop() }), ' ',
      h('button', { class: 'btn danger', text: 'Delete', onclick: function () {
        if (!confirm('Delete ' + o.key + '?')) return;
        fetch(objectUrl(o), { method: 'DELETE' }).then(function () { box.textContent = ''; box.append(h('div', { class: 'empty', text: 'Deleted ' + o.key + '.' })); loadObjects(); });
      } })]));
  }

  // A rule typed here runs as a download with it would (?imageMogr2/…, imageInfo, …): the result, or COS's refusal.
  function processor(o) {
    var input = h('input', { id: 'rule', class: 'mono', value: 'imageMogr2/thumbnail/200x', 'aria-label': 'Processing rule', size: '40' });
    var info = h('div', { class: 'hint', id: 'processed-info' }), out = h('div', { class: 'preview', id: 'processed' });
    function run(e) {
      e.preventDefault(); out.textContent = ''; info.textContent = 'Processing…';
      fetch(objectUrl(o, { process: input.value })).then(function (r) {
        var t = r.headers.get('content-type') || '';
        if (/json/.test(t)) return r.json().then(function (j) {
          if (!r.ok) { info.textContent = r.status + ' ' + j.error.cosCode + ': ' + j.error.message; return; }
          info.textContent = 'JSON'; out.append(h('pre', { text: JSON.stringify(j, null, 2) }));
        });
        return r.blob().then(function (b) {
          info.textContent = r.headers.get('x-image-width') + ' × ' + r.headers.get('x-image-height') + ' px · ' + size(b.size) + ' · ' + t;
          out.append(h('img', { src: URL.createObjectURL(b), alt: input.value }));
        });
      });
    }
    return h('div', { class: 'process' }, [h('h3', { text: 'Processed with a rule' }),
      h('form', { onsubmit: run }, [input, ' ', h('button', { class: 'btn', type: 'submit', text: 'Process' })]), info, out]);
  }

  // Requests
  var entries = [], ops = new Set(), refusals = {}, refusedCount = 0, selected = null;
  function statusClass(s) { return 's' + String(s).charAt(0); }
  function identity(id) { return id.kind === 'temporary' ? 'temp ' + id.secretId : id.kind === 'unverified' ? id.secretId + ' ?' : id.kind; }
  function target(e) { return e.key !== undefined && e.bucket ? e.bucket + '/' + e.key : e.resource; }
  function matches(e) {
    var fs = $('#f-status').value, fo = $('#f-op').value, ft = $('#f-text').value;
    if (fs === 'refused' && !e.refusal) return false;
    if (fs === 'injected' && !e.fault) return false;
    if (/^\d$/.test(fs) && String(e.status).charAt(0) !== fs) return false;
    if (fo && e.operation !== fo) return false;
    if (ft && target(e).indexOf(ft) < 0) return false;
    return true;
  }
  function rowOf(e) {
    return h('tr', { 'data-request-id': e.requestId, class: e.refusal ? 'refused' : '', onclick: function (ev) { pick(ev.currentTarget, e); } }, [
      h('td', { class: 'mono time', text: e.time.slice(11, 19) }),
      h('td', {}, [h('span', { class: 'mono', text: e.method + ' ' + target(e) }), e.fault ? h('span', {}, [' ', h('span', { class: 'badge', text: 'injected' })]) : null]),
      h('td', { class: 'hide-narrow', text: e.operation || '' }),
      h('td', { class: 'num' }, [h('span', { class: 'st ' + statusClass(e.status), text: e.status || 'cut' }), e.refusal ? h('span', { class: 'rcode', text: ' ' + e.refusal.code }) : null]),
      h('td', { class: 'num hide-narrow', text: e.ms }),
      h('td', { class: 'hide-narrow mono', text: identity(e.identity) })]);
  }
  function render() {
    var tb = $('#requests tbody'); tb.textContent = '';
    var shown = entries.filter(matches).slice(-300).reverse();
    shown.forEach(function (e) { tb.append(rowOf(e)); });
    if (!shown.length) tb.append(h('tr', {}, [h('td', { colspan: 6, class: 'empty', text: entries.length ? 'No request matches the filters.' : 'Waiting for requests…' })]));
  }
  ['#f-status', '#f-op'].forEach(function (s) { $(s).addEventListener('change', render); });
  $('#f-text').addEventListener('input', render);
  function add(e) {
    entries.push(e); if (entries.length > 2000) entries.shift();
    if (e.operation && !ops.has(e.operation)) { ops.add(e.operation); $('#f-op').append(h('option', { value: e.operation, text: e.operation })); }
    if (e.refusal && !e.fault) { refusedCount++; var c = $('#refusal-count'); c.hidden = false; c.textContent = refusedCount; }
    if (matches(e)) { var tb = $('#requests tbody'); if (tb.querySelector('.empty')) tb.textContent = ''; tb.prepend(rowOf(e)); }
  }
  function pick(tr, e) {
    document.querySelectorAll('#requests tr.sel').forEach(function (r) { r.classList.remove('sel'); });
    tr.classList.add('sel'); selected = e;
    var box = $('#explain'); box.textContent = '';
    var wrap = h('div', { class: 'explain' });
    box.append(wrap);
    var dl = h('dl');
    function row(k, v, mono) { dl.append(h('dt', { text: k }), h('dd', { class: mono ? 'mono' : '', text: v })); }
    row('Request', e.method + ' ' + e.resource, true); row('Operation', e.operation || '–'); row('Status', String(e.status || 'connection cut'));
    row('Duration', e.ms + ' ms'); row('Identity', identity(e.identity), true); row('Request id', e.requestId, true);
    (e.notes || []).forEach(function (n) { row('Note', n); });
    if (e.fault) row('Injected', 'rule ' + e.fault.rule + ': ' + e.fault.action + (e.fault.code ? ' ' + e.fault.status + ' ' + e.fault.code : '') + (e.fault.latencyMs ? ', +' + e.fault.latencyMs + ' ms' : ''));
    if (!e.refusal) { wrap.append(h('h2', { text: e.status < 400 ? 'Answered' : 'Not answered' }), dl); return; }
    api('refusals?limit=200').then(function (r) {
      var ref = r.refusals.filter(function (x) { return x.requestId === e.requestId; })[0] || { code: e.refusal.code, reason: e.refusal.reason, details: e.refusal.details || {} };
      explain(wrap, ref, dl, e);
    });
  }
  function markStatements(text) {
    var span = h('span');
    var re = /statement \d+/g, last = 0, m;
    while ((m = re.exec(text))) { span.append(text.slice(last, m.index), h('span', { class: 'stmt', text: m[0] })); last = m.index + m[0].length; }
    span.append(text.slice(last));
    return span;
  }
  function explain(wrap, ref, dl, e) {
    wrap.append(h('div', { class: 'code', id: 'refusal-code', text: ref.code + (ref.injected ? ' (injected)' : '') }),
      h('div', { class: 'reason', id: 'refusal-reason' }, [markStatements(ref.reason || '')]), dl);
    var d = ref.details || {};
    if (d.StringToSign || d.FormatString) {
      wrap.append(h('h3', { text: 'Signature: what the emulator expected, and what your client signed' }));
      var mine = h('textarea', { class: 'sts', id: 'client-sts', rows: 6, spellcheck: 'false', placeholder: "Paste your client's FormatString or StringToSign (the SDKs' debug output, or @cos-direct/signer's stringToSign)" });
      var expectedBox = h('pre', { class: 'sts', id: 'expected-sts' });
      var field = h('select', { 'aria-label': 'Compare' }, [h('option', { value: 'FormatString', text: 'FormatString' }), h('option', { value: 'StringToSign', text: 'StringToSign' })]);
      function compare() {
        var expected = d[field.value] || '';
        var got = mine.value;
        if (!got) { expectedBox.textContent = expected; return; }
        var guess = got.split('\n')[0] === 'sha1' ? 'StringToSign' : null;
        if (guess && field.value !== guess) { field.value = guess; expected = d[guess] || ''; }
        diffInto(expectedBox, expected, got);
      }
      mine.addEventListener('input', compare); field.addEventListener('change', compare);
      wrap.append(h('p', {}, ['Compare ', field]), h('div', { class: 'sbs' }, [
        h('div', {}, [h('h3', { text: 'Expected (computed by the emulator from the request it received)' }), expectedBox]),
        h('div', {}, [h('h3', { text: 'Received (what your client signed)' }), mine])]),
        h('p', { class: 'hint', text: 'A COS client sends only the signature, not the string it signed. Paste that string and the lines that differ are marked. Line 2 of the FormatString is the path, line 3 the signed query, line 4 the signed headers.' }));
      compare();
    }
    Object.keys(d).forEach(function (k) { if (k !== 'StringToSign' && k !== 'FormatString') dl.append(h('dt', { text: k }), h('dd', { class: 'mono', text: d[k] })); });
  }
  // Marks, line by line, where the expected string and the received one part.
  function diffInto(box, expected, got) {
    box.textContent = '';
    var a = expected.split('\n'), b = got.replace(/\r/g, '').split('\n');
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      var x = a[i] === undefined ? '' : a[i], y = b[i] === undefined ? '' : b[i];
      var line = h('span', { class: 'line' });
      if (x === y) line.append(x || ' ');
      else {
        line.classList.add('diff');
        var s = 0; while (s < x.length && x[s] === y[s]) s++;
        var e = 0; while (e < x.length - s && e < y.length - s && x[x.length - 1 - e] === y[y.length - 1 - e]) e++;
        line.append(x.slice(0, s), h('mark', { text: x.slice(s, x.length - e) || '∅' }), x.slice(x.length - e), '  ⟵ received: ', h('mark', { class: 'ins', text: y.slice(s, y.length - e) || '∅' }));
      }
      box.append(line);
    }
  }

  // Faults
  function loadRules() {
    return api('faults').then(function (r) {
      var tb = $('#rules tbody'); tb.textContent = '';
      r.rules.forEach(function (x) {
        var sel = [x.operations && x.operations.join('|'), x.methods && x.methods.join('|'), x.bucket && 'bucket ' + x.bucket, x.keyPrefix !== undefined && 'keys ' + x.keyPrefix + '*', x.probability < 1 && 'p=' + x.probability].filter(Boolean).join(', ') || 'every request';
        var a = x.action, does = a.kind === 'error' ? a.status + ' ' + a.code : a.kind;
        if (x.latencyMs) does += (a.kind === 'latency' ? ' ' : ' after ') + x.latencyMs + ' ms';
        tb.append(h('tr', {}, [h('td', { class: 'mono', text: x.name }), h('td', { text: sel }), h('td', { text: does }), h('td', { class: 'num', text: x.hits }), h('td', { class: 'num', text: x.remaining === undefined ? '∞' : x.remaining })]));
      });
      if (!r.rules.length) tb.append(h('tr', {}, [h('td', { colspan: 5, class: 'empty', text: 'No rules: every request is answered as COS would.' })]));
    });
  }
  $('#apply-rules').addEventListener('click', function () {
    fetch(base + 'faults', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: $('#rules-json').value })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error((b.error.problems || [b.error.message]).join('; ')); }); })
      .then(function () { $('#rules-msg').textContent = 'applied'; loadRules(); }, function (e) { $('#rules-msg').textContent = e.message; });
  });
  $('#clear-rules').addEventListener('click', function () { fetch(base + 'faults', { method: 'DELETE' }).then(loadRules); });

  loadBuckets();
  api('requests?limit=300').then(function (r) {
    r.requests.forEach(function (e) { add(e); });
    render();
    var since = r.requests.length ? r.requests[r.requests.length - 1].seq : 0;
    var es = new EventSource(base + 'events?since=' + since);
    es.addEventListener('open', function () { $('#live').className = 'live on'; $('#live span').textContent = 'live'; });
    es.addEventListener('error', function () { $('#live').className = 'live'; $('#live span').textContent = 'reconnecting'; });
    es.addEventListener('request', function (m) { var e = JSON.parse(m.data); if (!entries.some(function (x) { return x.seq === e.seq; })) add(e); });
  });
  show((location.hash || '#objects').slice(1) || 'objects');
})();
</script>
</body>
</html>
`;

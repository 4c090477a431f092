#!/usr/bin/env node
import { readFileSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Agent } from 'undici';
import { failureLines, formatBytes, formatDuration, formatRate, Rate, shellQuote, tlsHint } from './cli-format.js';
import { type CosDirectError, type ProgressDetail, upload, type UploadResult } from '@cos-direct/client/node';

const HELP = `cos-direct: upload files straight to Tencent Cloud COS with tickets from a sign server

Usage: cos-direct upload <files...> --sign-url <url> [options]

Options:
  --sign-url <url>        base URL of the sign server (env COS_DIRECT_SIGN_URL)
  -H, --header <h: v>     header for the sign server, e.g. "Authorization: Bearer …" (repeatable)
  --concurrency <n>       files uploaded at once (default 2)
  --part-concurrency <n>  parts in flight per file (default 4)
  --part-size <bytes>     multipart part size (default 8388608; suffixes k, m, g)
  --threshold <bytes>     files at least this big go multipart (default 8m)
  --ext <ext>             extension to request instead of each file's own
  --ca <file>             trust this CA certificate (e.g. the emulator's ca.pem)
  --no-resume             do not resume interrupted multipart uploads
  --resume-dir <dir>      where resume state is kept (env COS_DIRECT_RESUME_DIR; default ~/.cache/cos-direct/uploads)
  --retries <n>           retries per request (default 3)
  --json                  print one JSON object per file to stdout, no progress bars
  -v, --verbose           also print each upload's download link (a presigned URL, when the server adds one)
  --version               print the version
  -h, --help              this help

Ctrl-C stops the uploads and keeps what multipart uploads have sent: run the same command again to resume.
Exit status: 0 when every file uploaded, 1 when any failed, 2 on bad usage, 130 when interrupted by Ctrl-C (143 by SIGTERM, 129 by SIGHUP).`;

/** One line: the problem, and where the full help is. */
function usage(message: string): never {
  process.stderr.write(`cos-direct: ${message} (run cos-direct --help for usage)\n`);
  process.exit(2);
}

function bytes(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(value.trim());
  if (!m) usage(`${name} "${value}" is not a size (e.g. 8388608, 8m)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m![2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m![1]) * unit;
}

function int(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) usage(`${name} must be a ${min > 0 ? 'positive' : 'non-negative'} whole number`);
  return Number(value);
}

function version(): string {
  // src/cli.ts and dist/cli.js both sit one level below package.json.
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const OPTIONS = {
  'sign-url': { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  concurrency: { type: 'string' },
  'part-concurrency': { type: 'string' },
  'part-size': { type: 'string' },
  threshold: { type: 'string' },
  ext: { type: 'string' },
  ca: { type: 'string' },
  'no-resume': { type: 'boolean' },
  'resume-dir': { type: 'string' },
  retries: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The file's size, or why it cannot be uploaded and what to do about it. */
async function problemOf(file: string, ext: string | undefined): Promise<{ problem: string } | { size: number }> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'no such file; check the path' };
    if (code === 'EACCES' || code === 'EPERM') return { problem: "permission denied; check the file's permissions" };
    return { problem: `cannot read it (${(e as Error).message})` };
  }
  if (info.isDirectory()) return { problem: `is a directory; name the files in it instead (e.g. ${join(file, '*')})` };
  if (!info.isFile()) return { problem: 'is not a regular file; save the data to a file first' };
  const name = basename(file);
  const dot = name.lastIndexOf('.');
  if (!ext && (dot < 0 || dot === name.length - 1)) {
    return { problem: 'has no extension for the sign server to check; pass --ext <ext> (e.g. --ext jpg)' };
  }
  return { size: info.size };
}

function elapsed(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms / 1000);
}

interface Outcome {
  file: string;
  result?: UploadResult;
  error?: CosDirectError | Error;
  ms?: number;
  /** Refused before the uploads began; its line is already out. */
  early?: boolean;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, tokens: true });
  } catch (e) {
    // node's messages go on to explain `--`; the first sentence is the problem.
    usage((e as Error).message.split(/\.\s/)[0]!.replace(/\.$/, ''));
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (v.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const [command, ...files] = parsed.positionals;
  if (command !== 'upload') usage(command ? `unknown command "${command}"` : 'missing command');
  if (files.length === 0) usage('no files given');
  const signUrl = v['sign-url'] ?? process.env.COS_DIRECT_SIGN_URL;
  if (!signUrl) usage('--sign-url is required');
  // `localhost:3000` parses as a URL of scheme "localhost:", so the scheme is checked, not just the syntax.
  const signProtocol = URL.canParse(signUrl!) ? new URL(signUrl!).protocol : undefined;
  if (signProtocol !== 'http:' && signProtocol !== 'https:') {
    usage(`--sign-url "${signUrl}" is not an http(s) URL; write it as http://host:port`);
  }
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) usage(`header "${h}" must be "Name: value"`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const concurrency = int(v.concurrency, '--concurrency') ?? 2;
  const partConcurrency = int(v['part-concurrency'], '--part-concurrency');
  const partSize = bytes(v['part-size'], '--part-size');
  const threshold = bytes(v.threshold, '--threshold');
  const retries = int(v.retries, '--retries', 0);
  const resume = !v['no-resume'];
  const resumeDir = v['resume-dir'] ?? process.env.COS_DIRECT_RESUME_DIR;
  let dispatcher: Agent | undefined;
  if (v.ca) {
    try {
      dispatcher = new Agent({ connect: { ca: readFileSync(v.ca, 'utf8') } });
    } catch (e) {
      usage(`cannot read --ca ${v.ca}: ${(e as { code?: string }).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  const json = v.json === true;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const hints = new Set<string>();
  const outcomes: Outcome[] = [];

  const report = (o: Outcome) => {
    outcomes.push(o);
    const { file, result, error } = o;
    if (json) {
      process.stdout.write(
        `${JSON.stringify(
          result
            ? { file, ok: true, ...result }
            : {
                file,
                ok: false,
                code: (error as CosDirectError).code,
                message: error!.message,
                status: (error as CosDirectError).status,
                cosCode: (error as CosDirectError).cosCode,
                requestId: (error as CosDirectError).requestId,
                serverCode: (error as CosDirectError).serverCode,
              },
        )}\n`,
      );
    }
    const hint = error ? tlsHint(error) : undefined;
    if (hint && !hints.has(hint)) {
      hints.add(hint);
      if (json) say(`cos-direct: ${hint}`);
    }
  };
  const line = ({ file, result, error, ms, early }: Outcome) => {
    if (early) return;
    if (result) {
      const speed = ms && ms > 0 ? `, ${formatRate((result.size * 1000) / ms)}` : '';
      process.stdout.write(
        `uploaded ${file} -> ${result.key} (${formatBytes(result.size)} in ${elapsed(ms ?? 0)}${speed}, ${result.method}, etag ${result.etag})\n`,
      );
      // A presigned link runs to some 1,500 characters: on request only (it is always in --json's output).
      if (result.downloadUrl && v.verbose) process.stdout.write(`         download: ${result.downloadUrl}\n`);
    } else if (error && (error as CosDirectError).code !== 'CLIENT_ERR_ABORTED') {
      const [first, ...more] = failureLines(error);
      say(`failed   ${file}: ${first}`);
      for (const detail of more) say(`         ${detail}`);
      const hint = tlsHint(error);
      if (hint) say(`         hint: ${hint}`);
    }
  };

  // Every file is checked before any bar is drawn or ticket asked for: each bad one gets its own line.
  const jobs: Array<{ index: number; file: string; size: number }> = [];
  const checks = await Promise.all(files.map((file) => problemOf(file, v.ext)));
  checks.forEach((check, index) => {
    const file = files[index]!;
    if ('size' in check) jobs.push({ index, file, size: check.size });
    else {
      const error = Object.assign(new Error(`${file}: ${check.problem}`), { code: 'CLIENT_ERR_INVALID_ARGUMENT' });
      report({ file, error, early: true });
      if (!json) say(`failed   ${file}: ${check.problem}`);
    }
  });

  // Ctrl-C: put the terminal back at once, abort the requests in flight, keep what multipart uploads have
  // sent, and say how to go on. A second Ctrl-C leaves without waiting for the aborts to settle.
  // A terminal's Ctrl-C reaches the whole process group, and a launcher in it (`pnpm exec`, `npx`) answers
  // by sending its child SIGTERM and leaving at once: so SIGTERM (and SIGHUP) start the same clean stop, and
  // one that arrives while stopping does not cut it short. Only a second Ctrl-C quits at once.
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  let bars: cliProgress.MultiBar | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    bars?.stop();
    bars = undefined;
    if (interruptedBy) {
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    interruptedBy = signal;
    say(`cos-direct: ${signal === 'SIGINT' ? 'interrupted' : `${signal} received`}, stopping (Ctrl-C again to quit at once)`);
    controller.abort();
  };
  const listeners = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);

  // Bars only on a terminal; pipes and CI logs get a line when each file starts and when it ends.
  const tty = !json && process.stderr.isTTY === true;
  if (tty && jobs.length > 0) {
    bars = new cliProgress.MultiBar(
      {
        format: ' {bar} {percentage}% | {done} / {size} | {speed} | ETA {left} | {name}',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 30,
      },
      cliProgress.Presets.shades_classic,
    );
  }
  const totalSize = jobs.reduce((sum, j) => sum + j.size, 0);
  const sent = new Map<number, number>();
  const totalRate = new Rate();
  let finished = 0;
  const totalPayload = () => {
    const value = [...sent.values()].reduce((a, b) => a + b, 0);
    totalRate.add(value, Date.now());
    return {
      value,
      payload: {
        done: formatBytes(value),
        size: formatBytes(totalSize),
        speed: formatRate(totalRate.perSecond()),
        left: formatDuration(totalRate.eta(totalSize - value)),
        name: `total, ${finished} of ${jobs.length} file(s) done`,
      },
    };
  };
  const totalBar =
    bars && jobs.length > 1
      ? bars.create(Math.max(1, totalSize), 0, totalPayload().payload, {
          format: ' {bar} {percentage}% | {done} / {size} | {speed} | ETA {left} | {name}',
        })
      : undefined;
  const updateTotal = () => {
    if (!totalBar) return;
    const { value, payload } = totalPayload();
    totalBar.update(value, payload);
  };

  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !controller.signal.aborted) {
      const job = jobs[next++]!;
      const { file, size } = job;
      const rate = new Rate();
      const payload = (value: number) => ({
        done: formatBytes(value),
        size: formatBytes(size),
        speed: formatRate(rate.perSecond()),
        left: formatDuration(rate.eta(size - value)),
        name: basename(file),
      });
      const bar = bars?.create(Math.max(1, size), 0, payload(0));
      if (!tty && !json) say(`upload   ${file} (${formatBytes(size)})`);
      let announced = false;
      const started = Date.now();
      try {
        const result = await upload(file, {
          signUrl: signUrl!,
          headers,
          ext: v.ext,
          dispatcher,
          concurrency: partConcurrency,
          partSize,
          multipartThreshold: threshold,
          resume,
          keepResumeOnAbort: true,
          ...(resumeDir ? { resumeDir } : {}),
          retries,
          signal: controller.signal,
          onProgress: (value: number, total: number, detail?: ProgressDetail) => {
            if (detail && !announced) {
              announced = true;
              if (detail.resumed) {
                const message = `${file}: resuming a saved upload at ${Math.floor((value / Math.max(1, total)) * 100)}% (${detail.partsResumed} of ${detail.parts} parts already uploaded)`;
                if (bars) bars.log(`${message}\n`);
                else if (!json) say(message);
              }
            }
            rate.add(value, Date.now());
            sent.set(job.index, value);
            bar?.update(value, payload(value));
            updateTotal();
          },
        });
        finished++;
        sent.set(job.index, size);
        updateTotal();
        const o = { file, result, ms: Date.now() - started };
        report(o);
        if (!tty && !json) line(o);
      } catch (e) {
        sent.delete(job.index);
        updateTotal();
        const o = { file, error: e as CosDirectError };
        report(o);
        if (!tty && !json) line(o);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  } finally {
    for (const [signal, listener] of listeners) process.off(signal, listener);
    bars?.stop();
    await dispatcher?.close();
  }
  if (tty) for (const o of outcomes) line(o);

  if (interruptedBy) {
    const done = new Set(outcomes.filter((o) => o.result).map((o) => o.file));
    // The same command without the files that are already up.
    const fileTokens = parsed.tokens.filter((t) => t.kind === 'positional').slice(1);
    const drop = new Set(fileTokens.filter((_t, i) => done.has(files[i]!)).map((t) => t.index));
    const again = [...invokedAs(), ...argv.filter((_, i) => !drop.has(i))].map(shellQuote).join(' ');
    const left = files.length - done.size;
    say(
      resume
        ? `cos-direct: interrupted with ${left} of ${files.length} file(s) not uploaded; the parts already sent are kept. To resume, run the same command again:\n  ${again}`
        : `cos-direct: interrupted with ${left} of ${files.length} file(s) not uploaded (--no-resume: nothing was kept). To start over:\n  ${again}`,
    );
    // The shell's convention: 128 + the signal's number.
    return interruptedBy === 'SIGINT' ? 130 : interruptedBy === 'SIGTERM' ? 143 : 129;
  }
  const failed = outcomes.filter((o) => o.error).length;
  if (failed > 0) say(`${failed} of ${files.length} file(s) failed`);
  return failed > 0 ? 1 : 0;
}

/**
 * The command as the user typed it, for the line that says how to run it again: `cos-direct` through a
 * package manager (npx, pnpm exec, an installed bin), `node <script>` when Node was started on the file.
 */
function invokedAs(): string[] {
  const script = process.argv[1] ?? '';
  if (process.env.npm_config_user_agent || basename(script) === 'cos-direct') return ['cos-direct'];
  const rel = relative(process.cwd(), script);
  return ['node', rel.startsWith('..') || rel === '' ? script : rel];
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`cos-direct: ${(e as Error).message}\n`);
    process.exit(1);
  },
);

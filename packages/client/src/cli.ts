#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Agent } from 'undici';
import { type CosDirectError, upload, type UploadResult } from './node.js';

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
  --retries <n>           retries per request (default 3)
  --json                  print one JSON object per file to stdout, no progress bars
  -h, --help              this help

Exit status: 0 when every file uploaded, 1 when any failed, 2 on bad usage.`;

function usage(message: string): never {
  process.stderr.write(`cos-direct: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

function bytes(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(value.trim());
  if (!m) usage(`${name} "${value}" is not a size (e.g. 8388608, 8m)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m![2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m![1]) * unit;
}

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) usage(`${name} must be a positive whole number`);
  return Number(value);
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
  retries: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch (e) {
    usage((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [command, ...files] = parsed.positionals;
  if (command !== 'upload') usage(command ? `unknown command "${command}"` : 'missing command');
  if (files.length === 0) usage('no files given');
  const signUrl = v['sign-url'] ?? process.env.COS_DIRECT_SIGN_URL;
  if (!signUrl) usage('--sign-url is required');
  try {
    new URL(signUrl!);
  } catch {
    usage(`--sign-url "${signUrl}" is not a URL`);
  }
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) usage(`header "${h}" must be "Name: value"`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let dispatcher: Agent | undefined;
  if (v.ca) {
    try {
      dispatcher = new Agent({ connect: { ca: readFileSync(v.ca, 'utf8') } });
    } catch (e) {
      usage(`cannot read --ca ${v.ca}: ${(e as Error).message}`);
    }
  }
  const json = v.json === true;
  // Progress bars only on a terminal; pipes and CI logs get the summary lines alone.
  const bars =
    json || !process.stderr.isTTY
      ? undefined
      : new cliProgress.MultiBar(
          { format: ' {bar} {percentage}% | {value}/{total} B | {file}', hideCursor: true, clearOnComplete: false, stopOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
  const results: Array<{ file: string; result?: UploadResult; error?: CosDirectError | Error }> = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const bar = bars?.create(1, 0, { file: basename(file) });
      try {
        const result = await upload(file, {
          signUrl: signUrl!,
          headers,
          ext: v.ext,
          dispatcher,
          concurrency: int(v['part-concurrency'], '--part-concurrency'),
          partSize: bytes(v['part-size'], '--part-size'),
          multipartThreshold: bytes(v.threshold, '--threshold'),
          resume: !v['no-resume'],
          retries: v.retries === undefined ? undefined : Number(v.retries),
          onProgress: (sent, total) => {
            bar?.setTotal(total);
            bar?.update(sent);
          },
        });
        results.push({ file, result });
        if (json) process.stdout.write(`${JSON.stringify({ file, ok: true, ...result })}\n`);
      } catch (e) {
        const error = e as CosDirectError;
        results.push({ file, error });
        if (json) {
          process.stdout.write(
            `${JSON.stringify({
              file,
              ok: false,
              code: error.code,
              message: error.message,
              status: error.status,
              cosCode: error.cosCode,
              requestId: error.requestId,
              serverCode: error.serverCode,
            })}\n`,
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(int(v.concurrency, '--concurrency') ?? 2, files.length) }, worker));
  bars?.stop();
  await dispatcher?.close();
  if (!json) {
    for (const { file, result, error } of results) {
      if (result) {
        process.stdout.write(`uploaded ${file} -> ${result.key} (${result.size} bytes, ${result.method}, etag ${result.etag})\n`);
        if (result.downloadUrl) process.stdout.write(`         download: ${result.downloadUrl}\n`);
      } else process.stderr.write(`failed   ${file}: ${error!.message}\n`);
    }
  }
  const failed = results.filter((r) => r.error).length;
  if (failed > 0) process.stderr.write(`${failed} of ${files.length} file(s) failed\n`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`cos-direct: ${(e as Error).message}\n`);
    process.exit(1);
  },
);

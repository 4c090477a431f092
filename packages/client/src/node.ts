import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { Crc64Ecma } from '@cos-direct/signer/crc64';
import type { Dispatcher } from 'undici';
import { CosDirectError } from './errors.js';
import { abandonWith, listPending } from './pending.js';
import { fetchDirectTicket, fetchLimits, fetchMultipartTicket } from './tickets.js';
import { undiciTransport } from './transport/undici.js';
import type {
  AbandonOptions,
  DirectTicket,
  MultipartTicket,
  PendingUpload,
  ResumeState,
  SignServerLimits,
  ResumeStore,
  UploadOptions,
  UploadResult,
  UploadSource,
} from './types.js';
import { uploadWith } from './upload.js';

export * from './exports.js';

export type NodeUploadSource = string | Uint8Array | Blob | Readable;

export interface NodeUploadOptions extends UploadOptions {
  /** undici Dispatcher, e.g. `new Agent({ connect: { ca } })` to trust the emulator's CA. */
  dispatcher?: Dispatcher;
  /** Size of a Readable source (required for streams). */
  size?: number;
  /** Name of a Buffer or stream source, for its extension. */
  name?: string;
  /** Where multipart resume state is kept. Default ~/.cache/cos-direct/uploads. */
  resumeDir?: string;
}

async function hashStream(stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
  const md5 = createHash('md5');
  const crc = new Crc64Ecma();
  for await (const chunk of stream) {
    md5.update(chunk);
    crc.update(chunk);
  }
  return { md5: md5.digest('hex'), crc64: crc.digest() };
}

function fileRange(path: string, start: number, end: number): Readable {
  return end > start ? createReadStream(path, { start, end: end - 1, highWaterMark: 256 * 1024 }) : Readable.from([]);
}

async function openSource(source: NodeUploadSource, options: NodeUploadOptions): Promise<UploadSource> {
  if (typeof source === 'string') {
    const path = resolve(source);
    let info: Stats;
    try {
      info = await stat(path);
    } catch (e) {
      throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', `cannot read ${source}: ${(e as Error).message}`, { cause: e });
    }
    if (!info.isFile()) throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', `${source} is not a file`);
    return {
      size: info.size,
      name: options.name ?? basename(path),
      identity: `file:${path}|${info.size}|${info.mtimeMs}`,
      repeatable: true,
      slice: (start, end) => fileRange(path, start, end),
      hashRange: (start, end) => hashStream(fileRange(path, start, end)),
    };
  }
  if (source instanceof Uint8Array) {
    return {
      size: source.length,
      name: options.name,
      repeatable: true,
      slice: (start, end) => source.subarray(start, end),
      hashRange: async (start, end) => hashStream([source.subarray(start, end)]),
    };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const file = source as Blob & { name?: string; lastModified?: number };
    return {
      size: file.size,
      name: options.name ?? file.name,
      identity: fingerprintOf(file),
      repeatable: true,
      slice: (start, end) => Readable.fromWeb(file.slice(start, end).stream() as never),
      hashRange: (start, end) => hashStream(Readable.fromWeb(file.slice(start, end).stream() as never)),
    };
  }
  if (source instanceof Readable) {
    if (!Number.isSafeInteger(options.size)) {
      throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'a stream source needs options.size (its length in bytes)');
    }
    let used = false;
    return {
      size: options.size!,
      name: options.name,
      repeatable: false,
      slice: () => {
        if (used) throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'a stream source can be read only once');
        used = true;
        return source;
      },
    };
  }
  throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'source must be a file path, Buffer, Uint8Array, Blob or Readable');
}

/** A Blob's or File's fingerprint, as a saved upload's `fingerprint` names it (a path's is `file:<path>|<size>|<mtimeMs>`). */
export function fingerprintOf(file: Blob): string | undefined {
  const f = file as Blob & { name?: string; lastModified?: number };
  return f.name ? `blob:${f.name}|${f.size}|${f.lastModified ?? 0}` : undefined;
}

const DEFAULT_RESUME_DIR = join(homedir(), '.cache', 'cos-direct', 'uploads');

/** Resume state as one JSON file per upload, written atomically. */
export function fileResumeStore(dir = DEFAULT_RESUME_DIR): ResumeStore {
  const path = (id: string) => join(dir, `${createHash('sha256').update(id).digest('hex')}.json`);
  return {
    async get(id) {
      try {
        const state = JSON.parse(await readFile(path(id), 'utf8')) as ResumeState;
        return state.version === 1 ? state : undefined;
      } catch {
        return undefined;
      }
    },
    async set(id, state) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${path(id)}.${process.pid}.tmp`;
      // The state holds a temporary key: readable by the owner only.
      await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
      await rename(tmp, path(id));
    },
    async delete(id) {
      await rm(path(id), { force: true });
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const out: Array<{ id: string; state: ResumeState }> = [];
      for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
        try {
          const state = JSON.parse(await readFile(join(dir, name), 'utf8')) as ResumeState;
          // A state saved before ids were recorded cannot be named; it still resumes.
          if (state.version === 1 && typeof state.id === 'string') out.push({ id: state.id, state });
        } catch {
          // Another process replaced or removed it meanwhile.
        }
      }
      return out;
    },
  };
}

/** The multipart uploads saved in `resumeDir` (default ~/.cache/cos-direct/uploads), oldest first. */
export function pendingUploads(options: { resumeDir?: string; resumeStore?: ResumeStore } = {}): Promise<PendingUpload[]> {
  return listPending(options.resumeStore ?? fileResumeStore(options.resumeDir));
}

/** Aborts a pending upload at COS (its parts are deleted) and forgets it; `signUrl` renews its key if needed. */
export function abandonUpload(
  id: string,
  options: AbandonOptions & { resumeDir?: string; resumeStore?: ResumeStore; dispatcher?: Dispatcher } = {},
): Promise<void> {
  return abandonWith(undiciTransport(options.dispatcher), options.resumeStore ?? fileResumeStore(options.resumeDir), id, options);
}

/** Uploads a file, buffer, blob or sized stream to COS through tickets from your sign server. */
export async function upload(source: NodeUploadSource, options: NodeUploadOptions): Promise<UploadResult> {
  const opened = await openSource(source, options);
  return uploadWith({ transport: undiciTransport(options.dispatcher), resumeStore: fileResumeStore(options.resumeDir) }, opened, options);
}

/** The seed's getStsDirectSign: asks the sign server for a PUT ticket. */
export function getStsDirectSign(
  signUrl: string,
  ext: string,
  /** `sendsHeaders: true` when your PUT sends every header of the ticket's `headers` (then the ticket cannot overwrite). */
  options: { headers?: Record<string, string>; signal?: AbortSignal; dispatcher?: Dispatcher; sendsHeaders?: boolean } = {},
): Promise<DirectTicket> {
  return fetchDirectTicket(undiciTransport(options.dispatcher), signUrl, ext, options);
}

export function getStsMultipart(
  signUrl: string,
  ext: string,
  size: number,
  options: { headers?: Record<string, string>; signal?: AbortSignal; dispatcher?: Dispatcher } = {},
): Promise<MultipartTicket> {
  return fetchMultipartTicket(undiciTransport(options.dispatcher), signUrl, ext, size, options);
}

/** GET <signUrl>/limits: the extensions and sizes a ticket would allow now; undefined when the server has no /limits. */
export function getLimits(
  signUrl: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal; dispatcher?: Dispatcher } = {},
): Promise<SignServerLimits | undefined> {
  return fetchLimits(undiciTransport(options.dispatcher), signUrl, options);
}

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// MD5 and CRC-64 each hash at about the speed of a local disk; on one thread together they halve
// upload throughput. Large bodies hand their CRC-64 to this worker so the two run on two cores.

/** Bytes gathered before a batch goes to the worker. */
const BATCH = 1 << 20;
/** Bytes sent but not yet hashed, above which the upload waits (bounds memory per upload). */
const MAX_IN_FLIGHT = 4 << 20;

// A plain script evaluated as the worker, so the same code runs from TypeScript sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.crc64Url).then(({ Crc64Ecma }) => {
  const jobs = new Map();
  parentPort.on('message', (m) => {
    if (m.open) {
      jobs.set(m.id, new Crc64Ecma(m.preceding));
    } else if (m.data) {
      jobs.get(m.id).update(m.data);
      parentPort.postMessage({ id: m.id, hashed: m.data.length });
    } else {
      if (m.end) parentPort.postMessage({ id: m.id, crc: jobs.get(m.id).digest() });
      jobs.delete(m.id);
    }
  });
});
`;

interface JobEvents {
  hashed(bytes: number): void;
  done(crc: string): void;
  failed(error: Error): void;
}

class Crc64Thread {
  readonly #worker: Worker;
  readonly #jobs = new Map<number, JobEvents>();
  #nextId = 1;
  #broken?: Error;

  constructor() {
    const crc64Url = pathToFileURL(createRequire(import.meta.url).resolve('@cos-direct/signer/crc64')).href;
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { crc64Url } });
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; hashed?: number; crc?: string }) => {
      const job = this.#jobs.get(m.id);
      if (!job) return;
      if (m.crc !== undefined) {
        this.#finish(m.id);
        job.done(m.crc);
      } else job.hashed(m.hashed!);
    });
    const fail = (error: Error) => {
      this.#broken = error;
      if (shared === this) shared = undefined;
      for (const [id, job] of this.#jobs) {
        this.#finish(id);
        job.failed(error);
      }
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the CRC-64 worker exited with code ${code}`)));
  }

  open(preceding: string, events: JobEvents): number {
    if (this.#broken) throw this.#broken;
    const id = this.#nextId++;
    if (this.#jobs.size === 0) this.#worker.ref();
    this.#jobs.set(id, events);
    this.#worker.postMessage({ id, open: true, preceding });
    return id;
  }

  post(message: { id: number; data?: Uint8Array; end?: true; cancel?: true }) {
    if (message.cancel) this.#finish(message.id);
    this.#worker.postMessage(message, message.data ? [message.data.buffer as ArrayBuffer] : []);
  }

  #finish(id: number) {
    // Idle, the worker must not keep the process alive.
    if (this.#jobs.delete(id) && this.#jobs.size === 0) this.#worker.unref();
  }
}

let shared: Crc64Thread | undefined;

/** The CRC-64 of one stream, computed on the shared worker thread, continuing from `preceding`. */
export class ThreadedCrc64 {
  readonly #thread: Crc64Thread;
  readonly #id: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #inFlight = 0;
  #error?: Error;
  #drained?: () => void;
  #result: Promise<string>;

  /** Undefined when no worker thread can run here; the caller then hashes in place. */
  static start(preceding: string): ThreadedCrc64 | undefined {
    try {
      shared ??= new Crc64Thread();
      return new ThreadedCrc64(shared, preceding);
    } catch {
      return undefined;
    }
  }

  private constructor(thread: Crc64Thread, preceding: string) {
    this.#thread = thread;
    let resolve!: (crc: string) => void;
    let reject!: (e: Error) => void;
    this.#result = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#result.catch(() => undefined);
    this.#id = thread.open(preceding, {
      hashed: (bytes) => {
        this.#inFlight -= bytes;
        if (this.#inFlight <= MAX_IN_FLIGHT) this.#wake();
      },
      done: resolve,
      failed: (e) => {
        this.#error = e;
        this.#wake();
        reject(e);
      },
    });
  }

  update(chunk: Uint8Array): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= BATCH) this.#send();
  }

  /** Resolves once the worker has caught up enough; undefined when there is no need to wait. */
  ready(): Promise<void> | undefined {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#inFlight <= MAX_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.#drained = () => (this.#error ? reject(this.#error) : resolve());
    });
  }

  digest(): Promise<string> {
    this.#send();
    this.#thread.post({ id: this.#id, end: true });
    return this.#result;
  }

  cancel(): void {
    this.#thread.post({ id: this.#id, cancel: true });
  }

  #send() {
    if (this.#pendingBytes === 0) return;
    // One fresh copy per batch: the network's buffers may be pooled, and this one is transferred.
    const data = new Uint8Array(this.#pendingBytes);
    let offset = 0;
    for (const chunk of this.#pending) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    this.#inFlight += data.length;
    this.#thread.post({ id: this.#id, data });
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #wake() {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }
}

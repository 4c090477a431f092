import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// MD5 (about 600 MiB/s here) and CRC-64 each hash at about the speed of a local disk. On the thread
// that also parses HTTP and writes files they set the pace of a large upload, so a large body hands
// each hash to a worker of its own: the network, MD5 and CRC-64 then run side by side.

/** Bytes gathered before a batch goes to the workers. */
const BATCH = 1 << 20;
/** Batches sent but not yet hashed by every worker, above which the upload waits (bounds memory per upload). */
const MAX_BATCHES_IN_FLIGHT = 4;

type Algorithm = 'md5' | 'crc64';

// A plain script evaluated as the worker, so the same code runs from TypeScript sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashers = workerData.algorithm === 'md5'
  ? Promise.resolve(() => { const h = createHash('md5'); return { update: (d) => h.update(d), digest: () => h.digest('hex') }; })
  : import(workerData.crc64Url).then(({ Crc64Ecma }) => () => new Crc64Ecma());
hashers.then((create) => {
  const jobs = new Map();
  parentPort.on('message', (m) => {
    if (m.open) {
      jobs.set(m.id, { hasher: create(), slots: [] });
    } else if (m.slot !== undefined) {
      const job = jobs.get(m.id);
      if (m.buffer) job.slots[m.slot] = new Uint8Array(m.buffer);
      job.hasher.update(job.slots[m.slot].subarray(0, m.length));
      parentPort.postMessage({ id: m.id, hashed: true });
    } else {
      if (m.end) parentPort.postMessage({ id: m.id, digest: jobs.get(m.id).hasher.digest() });
      jobs.delete(m.id);
    }
  });
});
`;

interface JobEvents {
  hashed(): void;
  done(digest: string): void;
  failed(error: Error): void;
}

class HashThread {
  readonly #worker: Worker;
  readonly #jobs = new Map<number, JobEvents>();
  readonly #algorithm: Algorithm;
  #nextId = 1;
  #broken?: Error;

  constructor(algorithm: Algorithm) {
    this.#algorithm = algorithm;
    const crc64Url = pathToFileURL(createRequire(import.meta.url).resolve('@cos-direct/signer/crc64')).href;
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, crc64Url } });
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; hashed?: number; digest?: string }) => {
      const job = this.#jobs.get(m.id);
      if (!job) return;
      if (m.digest !== undefined) {
        this.#finish(m.id);
        job.done(m.digest);
      } else job.hashed();
    });
    const fail = (error: Error) => {
      this.#broken = error;
      if (threads[this.#algorithm] === this) delete threads[this.#algorithm];
      for (const [id, job] of this.#jobs) {
        this.#finish(id);
        job.failed(error);
      }
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the ${algorithm} worker exited with code ${code}`)));
  }

  open(events: JobEvents): number {
    if (this.#broken) throw this.#broken;
    const id = this.#nextId++;
    if (this.#jobs.size === 0) this.#worker.ref();
    this.#jobs.set(id, events);
    this.#worker.postMessage({ id, open: true });
    return id;
  }

  post(message: { id: number; slot?: number; length?: number; buffer?: SharedArrayBuffer; end?: true; cancel?: true }) {
    if (message.cancel) this.#finish(message.id);
    this.#worker.postMessage(message);
  }

  #finish(id: number) {
    // Idle, the worker must not keep the process alive.
    if (this.#jobs.delete(id) && this.#jobs.size === 0) this.#worker.unref();
  }
}

const threads: Partial<Record<Algorithm, HashThread>> = {};
const ALGORITHMS: readonly Algorithm[] = ['md5', 'crc64'];

export interface Digests {
  md5: string;
  crc64: string;
}

interface Batch {
  slot: number;
  bytes: Uint8Array;
  /** The workers hold this buffer already. */
  sent: boolean;
}

/** The MD5 and CRC-64 of one stream, each computed on a shared worker thread of its own. */
export class ThreadedHash {
  readonly #jobs: { thread: HashThread; id: number; acked: number }[] = [];
  /** Batches sent and not yet hashed by every worker, oldest first, with how many workers are done. */
  readonly #inFlight: { batch: Batch; acks: number }[] = [];
  /** Batches sent before the oldest one in flight. */
  #retired = 0;
  /**
   * Shared buffers every worker is done with, reused: allocating one costs more than filling it, and a
   * worker is sent each buffer once and from then on only its slot number (posting one costs as much).
   */
  readonly #free: Batch[] = [];
  #slots = 0;
  #batch?: Batch;
  #filled = 0;
  #error?: Error;
  #drained?: () => void;
  readonly #result: Promise<Digests>;

  /** Undefined when no worker thread can run here; the caller then hashes in place. */
  static start(): ThreadedHash | undefined {
    try {
      return new ThreadedHash(ALGORITHMS.map((algorithm) => (threads[algorithm] ??= new HashThread(algorithm))));
    } catch {
      return undefined;
    }
  }

  private constructor(pool: HashThread[]) {
    const digests = pool.map((thread) => {
      let resolve!: (digest: string) => void;
      let reject!: (e: Error) => void;
      const digest = new Promise<string>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const job = { thread, id: 0, acked: 0 };
      job.id = thread.open({
        hashed: () => this.#acknowledge(job),
        done: resolve,
        failed: (e) => {
          this.#error = e;
          this.#wake();
          reject(e);
        },
      });
      this.#jobs.push(job);
      return digest;
    });
    this.#result = Promise.all(digests).then(([md5, crc64]) => ({ md5: md5!, crc64: crc64! }));
    this.#result.catch(() => undefined);
  }

  update(chunk: Uint8Array): void {
    // Copied into shared memory that both workers read: the network's buffers may be pooled.
    for (let offset = 0; offset < chunk.length; ) {
      this.#batch ??= this.#free.pop() ?? { slot: this.#slots++, bytes: new Uint8Array(new SharedArrayBuffer(BATCH)), sent: false };
      const n = Math.min(BATCH - this.#filled, chunk.length - offset);
      this.#batch.bytes.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === BATCH) this.#send();
    }
  }

  /** Resolves once the workers have caught up enough; undefined when there is no need to wait. */
  ready(): Promise<void> | undefined {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#inFlight.length <= MAX_BATCHES_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.#drained = () => (this.#error ? reject(this.#error) : resolve());
    });
  }

  digest(): Promise<Digests> {
    this.#send();
    for (const { thread, id } of this.#jobs) thread.post({ id, end: true });
    return this.#result;
  }

  cancel(): void {
    for (const { thread, id } of this.#jobs) thread.post({ id, cancel: true });
  }

  #send() {
    const batch = this.#batch;
    if (!batch || this.#filled === 0) return;
    const buffer = batch.sent ? undefined : (batch.bytes.buffer as SharedArrayBuffer);
    batch.sent = true;
    this.#inFlight.push({ batch, acks: 0 });
    for (const { thread, id } of this.#jobs) thread.post({ id, slot: batch.slot, length: this.#filled, buffer });
    this.#batch = undefined;
    this.#filled = 0;
  }

  // Each worker hashes one stream's batches in order, so its n-th answer is for the n-th batch.
  #acknowledge(job: { acked: number }) {
    const entry = this.#inFlight[job.acked++ - this.#retired]!;
    if (++entry.acks < this.#jobs.length) return;
    while (this.#inFlight[0]?.acks === this.#jobs.length) {
      this.#free.push(this.#inFlight.shift()!.batch);
      this.#retired++;
    }
    if (this.#inFlight.length <= MAX_BATCHES_IN_FLIGHT) this.#wake();
  }

  #wake() {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }
}

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

/** Where a stream's bytes go besides the hashes: a positioned write of part of it (a file's pwrite). */
export type ByteSink = (bytes: Uint8Array, position: number) => Promise<void>;

/**
 * Writes to a sink at increasing positions, several in flight at once (positioned writes need no order).
 * Remembers the first failure, and can wait until nothing is in flight.
 */
export class SinkWrites {
  #position = 0;
  readonly #inFlight = new Set<Promise<void>>();
  error?: Error;

  constructor(private readonly sink: ByteSink) {}

  get pending(): number {
    return this.#inFlight.size;
  }

  /** Starts a write of `bytes` (which must stay untouched until `done`) and moves the position on. */
  write(bytes: Uint8Array, done?: () => void): void {
    const position = this.#position;
    this.#position += bytes.length;
    const write = this.sink(bytes, position).then(
      () => {
        this.#inFlight.delete(write);
        done?.();
      },
      (e: Error) => {
        this.#inFlight.delete(write);
        this.error ??= e;
        done?.();
      },
    );
    this.#inFlight.add(write);
  }

  /** Resolves once every write started so far is over; rejects with the first failure. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    if (this.error) throw this.error;
  }

  /** Resolves once nothing is in flight, failed or not: the sink can then be closed. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight);
  }
}

/**
 * The MD5 and CRC-64 of one stream, each computed on a shared worker thread of its own; with a sink, each
 * batch is also written from the same shared buffer. The network's chunks are then free as soon as they
 * are copied, instead of living (and being promoted by the garbage collector) until a batched write.
 */
export class ThreadedHash {
  readonly #jobs: { thread: HashThread; id: number; acked: number }[] = [];
  readonly #writes: SinkWrites | undefined;
  /** Batches sent and not yet done with (hashed by every worker, and written), oldest first. */
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
  static start(writes?: SinkWrites): ThreadedHash | undefined {
    try {
      return new ThreadedHash(
        ALGORITHMS.map((algorithm) => (threads[algorithm] ??= new HashThread(algorithm))),
        writes,
      );
    } catch {
      return undefined;
    }
  }

  private constructor(pool: HashThread[], writes: SinkWrites | undefined) {
    this.#writes = writes;
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

  /** Resolves once the workers (and writes) have caught up enough; undefined when there is no need to wait. */
  ready(): Promise<void> | undefined {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#inFlight.length <= MAX_BATCHES_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.#drained = () => (this.#error ? reject(this.#error) : resolve());
    });
  }

  /** The digests, once every byte is hashed and (with a sink) written. */
  async digest(): Promise<Digests> {
    this.#send();
    for (const { thread, id } of this.#jobs) thread.post({ id, end: true });
    const [digests] = await Promise.all([this.#result, this.#writes?.settled()]);
    return digests;
  }

  /** Stops hashing; resolves once no write from this stream's buffers is in flight. */
  cancel(): Promise<void> {
    for (const { thread, id } of this.#jobs) thread.post({ id, cancel: true });
    return this.#writes?.idle() ?? Promise.resolve();
  }

  #send() {
    const batch = this.#batch;
    if (!batch || this.#filled === 0) return;
    const buffer = batch.sent ? undefined : (batch.bytes.buffer as SharedArrayBuffer);
    batch.sent = true;
    const entry = { batch, acks: 0 };
    this.#inFlight.push(entry);
    for (const { thread, id } of this.#jobs) thread.post({ id, slot: batch.slot, length: this.#filled, buffer });
    this.#writes?.write(batch.bytes.subarray(0, this.#filled), () => this.#settle(entry));
    this.#batch = undefined;
    this.#filled = 0;
  }

  // Each worker hashes one stream's batches in order, so its n-th answer is for the n-th batch.
  #acknowledge(job: { acked: number }) {
    this.#settle(this.#inFlight[job.acked++ - this.#retired]!);
  }

  /** One more of a batch's users (each worker, the write) is done with it; done batches are reused. */
  #settle(entry: { acks: number }) {
    // A failed write is a failure of the stream, whether or not the workers are done with the batch.
    if (this.#writes?.error && !this.#error) {
      this.#error = this.#writes.error;
      this.#wake();
    }
    const users = this.#jobs.length + (this.#writes ? 1 : 0);
    if (++entry.acks < users) return;
    while (this.#inFlight[0]?.acks === users) {
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

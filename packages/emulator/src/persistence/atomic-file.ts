import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes whole files atomically (temp file, fsync, rename) and in call order per path, so a crash
 * leaves either the old or the new content and two quick updates never land reversed.
 */
export class AtomicFiles {
  readonly #queues = new Map<string, Promise<void>>();
  constructor(private readonly tmpDir: string) {}

  write(path: string, content: string): Promise<void> {
    return this.#enqueue(path, async () => {
      const tmp = join(this.tmpDir, randomUUID());
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
    });
  }

  remove(path: string): Promise<void> {
    return this.#enqueue(path, () => rm(path, { force: true }));
  }

  async drain(): Promise<void> {
    await Promise.all(this.#queues.values());
  }

  #enqueue(path: string, task: () => Promise<void>): Promise<void> {
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.#queues.set(path, next);
    const cleanup = () => {
      if (this.#queues.get(path) === next) this.#queues.delete(path);
    };
    next.then(cleanup, cleanup);
    return next;
  }
}

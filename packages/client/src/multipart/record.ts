import type { ResumeState, ResumeStore, SavedPart } from '../types.js';
import type { DonePart } from './plan.js';

/** Where an upload's state is kept, and what goes in it beside the upload itself. */
export interface RecordTarget {
  store: ResumeStore;
  id: string;
  /** Keep the temporary key in the store (otherwise a resumed upload gets a new one). */
  withCredentials: boolean;
  name?: string;
  fingerprint?: string;
  signUrl?: string;
}

/** The state as stored: the upload, its finished parts, and the key only when asked to. */
export function storedState(state: ResumeState, done: Map<number, DonePart>, target: RecordTarget, now: number): ResumeState {
  const { credentials, expiredTime, startTime, ...rest } = state;
  const parts: SavedPart[] = [...done]
    .sort(([a], [b]) => a - b)
    .map(([n, p]) => ({ n, etag: p.etag, size: p.size, ...(p.crc64 !== undefined ? { crc64: p.crc64 } : {}) }));
  return {
    ...rest,
    id: target.id,
    ...(target.withCredentials && credentials ? { credentials, ...(expiredTime !== undefined ? { expiredTime } : {}) } : {}),
    ...(target.withCredentials && startTime !== undefined ? { startTime } : {}),
    parts,
    ...(target.name !== undefined ? { name: target.name } : {}),
    ...(target.fingerprint !== undefined ? { fingerprint: target.fingerprint } : {}),
    ...(target.signUrl !== undefined ? { signUrl: target.signUrl } : {}),
    startedAt: state.startedAt ?? now,
    updatedAt: now,
  };
}

/**
 * Records an upload in its store: at the start and after every part COS accepts, so a crash or a reload
 * loses at most the parts in flight. Writes go one after another (the last one wins, never a mix), and
 * a failed write does not fail the upload: COS's List Parts is the truth a resumed upload starts from.
 */
export function recorder(state: ResumeState, target: RecordTarget | undefined) {
  let chain: Promise<void> = Promise.resolve();
  let gone = false;
  state.startedAt ??= Date.now();
  return {
    save(done: Map<number, DonePart>): Promise<void> {
      if (!target) return Promise.resolve();
      const snapshot = storedState(state, done, target, Date.now());
      chain = chain.then(() => (gone ? undefined : target.store.set(target.id, snapshot))).catch(() => undefined);
      return chain;
    },
    async forget(): Promise<void> {
      if (!target) return;
      gone = true;
      await chain;
      await target.store.delete(target.id);
    },
  };
}

// The steps of a write at which the durability suite stops the process as kill -9 would. With
// COS_EMULATOR_CRASH_AT=<point> set, the process sends itself SIGKILL the first time it reaches <point>
// once it is ready (the buckets it creates while starting are not writes under test). Unset, a point
// costs one comparison.

export const CRASH_POINTS = [
  /** A blob file is complete and closed under tmp/, not yet renamed into blobs/. */
  'blob-written',
  /** A blob file is renamed into blobs/; no committed record names it yet. */
  'blob-renamed',
  /** An operation's transaction is about to run. */
  'before-commit',
  /** An operation's transaction is committed; the client has not been answered. */
  'after-commit',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

let armed: CrashPoint | undefined;

/** Reads COS_EMULATOR_CRASH_AT; called once the emulator is ready. Refuses a point that does not exist. */
export function armCrashPoint(env: NodeJS.ProcessEnv = process.env): void {
  const point = env.COS_EMULATOR_CRASH_AT;
  if (point === undefined || point === '') return;
  if (!(CRASH_POINTS as readonly string[]).includes(point)) {
    throw new Error(`COS_EMULATOR_CRASH_AT="${point}" is not a crash point; use one of ${CRASH_POINTS.join(', ')}`);
  }
  armed = point as CrashPoint;
}

export function crashPoint(point: CrashPoint): void {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
}

// What both benchmarks share: the emulator's CLI and a raw file server, each started in a process of its
// own (so that the load generator, this process, never shares their event loop), and their resident memory.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Starts a child that prints one JSON line once it listens; resolves with that line and a stop(). */
function startChild(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // A bench that fails half-way must not leave its servers running.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.off('exit', orphaned));
  // Its banner is noise here; kept for the error if it never gets ready.
  let errors = '';
  child.stderr.on('data', (c) => (errors = (errors + c).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        const ready = JSON.parse(out.slice(0, nl));
        resolve({
          ready,
          pid: child.pid,
          port: Number(new URL(ready.cos?.http ?? ready.url).port),
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before it was ready\n${errors}`)));
  });
}

/** The emulator's command as users run it: a data directory, plain HTTP, no request log. */
export function startEmulatorProcess(dataDir) {
  const cli = new URL('../bin/cos-emulator.js', import.meta.url).pathname;
  return startChild([cli, '--data-dir', dataDir, '--http-port', '0', '--no-https', '--quiet']);
}

/** The baseline: the least a Node server can do, stream an upload to a file and a file back. */
export function startRawFileServer(dir) {
  return startChild([new URL('./raw-file-server.mjs', import.meta.url).pathname, dir]);
}

/**
 * Resident memory of a process in MiB (Linux; NaN where /proc is missing): all of it, and the anonymous
 * part. The rest is pages of files it maps (Node's own code, the database), which the kernel can reclaim.
 */
export async function memoryMiB(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024 };
  } catch {
    return { rss: Number.NaN, anon: Number.NaN };
  }
}

/** CPU time a process has used so far, all its threads, in ms (Linux; NaN where /proc is missing). */
export async function cpuMs(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;

// What the cos-direct CLI prints, kept apart from its I/O: sizes, rates, durations, and the advice that goes
// with a failure it recognises.

// One way to write sizes (1536 → "1.5 KiB"), shared with the sentences describeError gives.
import { type ClientErrorCode, CosDirectError, describeError, formatBytes } from '@cos-direct/client';

export { formatBytes };

// Codes whose sentence speaks of a web page (a refused source, the browser's CORS): the CLI's own message
// says more there, so it stays.
const PAGE_ONLY: ReadonlySet<ClientErrorCode> = new Set([
  'CLIENT_ERR_INVALID_ARGUMENT',
  'CLIENT_ERR_SIGN_SERVER_CORS',
  'CLIENT_ERR_COS_CORS',
]);

/**
 * What a failed upload prints after the file's name: the sentence an app would show (describeError) with
 * the code to search for, then the technical message on a line of its own. An error that is not the
 * client's, or whose sentence is about a web page, prints its message.
 */
export function failureLines(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof CosDirectError) || PAGE_ONLY.has(error.code)) return [message];
  const facts = [error.code, error.status === undefined ? undefined : `HTTP ${error.status}`, error.cosCode, error.serverCode];
  return [`${describeError(error)} (${facts.filter(Boolean).join(', ')})`, message];
}

/** Seconds as "0:07", "12:34" or "1:02:03"; "--:--" when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const two = (x: number) => String(x).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/**
 * Speed over the last few seconds of progress reports. The first report is the baseline, so that the parts a
 * resumed upload skips do not count as speed. `now` is in milliseconds.
 */
export class Rate {
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  constructor(private readonly windowMs = 5000) {}

  add(bytes: number, now: number): void {
    this.samples.push({ t: now, bytes });
    while (this.samples.length > 2 && now - this.samples[1]!.t > this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or undefined before there is anything to measure. */
  perSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.t <= first.t) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds left for `remaining` bytes at the current speed. */
  eta(remaining: number): number | undefined {
    const rate = this.perSecond();
    if (remaining <= 0) return 0;
    return rate && rate > 0 ? remaining / rate : undefined;
  }
}

export function formatRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '--' : `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Certificate checks that a CA the client does not know makes fail. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  // A trusted CA of the same name did not sign it: e.g. NODE_EXTRA_CA_CERTS names another emulator's CA.
  'CERT_SIGNATURE_FAILURE',
]);

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** What to do about a TLS failure, or undefined when the error is something else. */
export function tlsHint(error: unknown): string | undefined {
  const codes = codesOf(error);
  const untrusted = codes.find((c) => UNTRUSTED.has(c));
  if (untrusted) {
    return (
      `the server's certificate is signed by a CA this machine does not trust (${untrusted}): ` +
      'pass --ca <file> with that CA (for the emulator, the ca.pem it names at start), or set NODE_EXTRA_CA_CERTS=<file>'
    );
  }
  if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return (
      "the server's certificate does not name the host in the URL (ERR_TLS_CERT_ALTNAME_INVALID): use a host name the " +
      'certificate lists (the emulator: 127.0.0.1, localhost or its --hostname), and --ca <file> or NODE_EXTRA_CA_CERTS for its CA'
    );
  }
  if (codes.includes('CERT_HAS_EXPIRED')) {
    return "the server's certificate has expired (CERT_HAS_EXPIRED): renew it (the emulator makes a new one when its ca dir is removed)";
  }
  return undefined;
}

/** Quotes one argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

import type { IdentityLabel, RequestEntry } from './request-log.js';

export type RequestLogFormat = 'human' | 'json';

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export function identityText(id: IdentityLabel): string {
  switch (id.kind) {
    case 'root':
      return 'root';
    case 'temporary':
      return `temporary ${id.secretId}`;
    case 'unverified':
      return `${id.secretId} (unverified)`;
    default:
      return 'anonymous';
  }
}

function statusColour(status: number): string {
  if (status === 0 || status >= 500) return '31';
  if (status >= 400) return '33';
  if (status >= 300) return '36';
  return '32';
}

/**
 * One request as a line for people: time it ended, method, key, operation, status, duration and identity; a
 * refusal adds its code and reason on a second line, each note (what was accepted but not acted on) a
 * line of its own, and an injected fault is marked as such.
 */
export function formatRequestLine(entry: RequestEntry, colour = false): string {
  // Lines are printed as requests end, so they carry the time each ended: parallel parts then read in order.
  const time = new Date(Date.parse(entry.time) + entry.ms).toISOString().slice(11, 23);
  const target = entry.key !== undefined && entry.bucket ? `${entry.bucket}/${entry.key}` : entry.resource;
  const status = entry.status === 0 ? 'cut' : String(entry.status);
  let line =
    `${paint(colour, '2', time)} ${entry.method.padEnd(6)} ${target} ` +
    `${paint(colour, '2', entry.operation ?? (entry.admin ? 'emulator' : '-'))} ` +
    `${paint(colour, statusColour(entry.status), status)} ${entry.ms}ms ${paint(colour, '2', identityText(entry.identity))}`;
  if (entry.fault) {
    const f = entry.fault;
    const what = f.action === 'error' ? `${f.status} ${f.code}` : f.action;
    line += ` ${paint(colour, '35', `[injected ${what}${f.latencyMs ? ` +${f.latencyMs}ms` : ''} by rule ${f.rule}]`)}`;
  }
  for (const note of entry.notes ?? []) line += `\n    ${paint(colour, '2', `note: ${note}`)}`;
  if (entry.refusal && !entry.fault) {
    line += `\n    ${paint(colour, '1;33', entry.refusal.code)}${entry.refusal.reason ? `: ${entry.refusal.reason}` : ''}`;
    for (const [k, v] of Object.entries(entry.refusal.details ?? {})) {
      line += `\n    ${k}: ${v.replaceAll('\n', '\\n')}`;
    }
  }
  return line;
}

/** A listener that writes each request to `stream`, as human lines or JSON lines. */
export function requestPrinter(
  stream: { write(text: string): unknown },
  format: RequestLogFormat = 'human',
  colour = false,
): (entry: RequestEntry) => void {
  return (entry) => {
    stream.write(`${format === 'json' ? JSON.stringify({ event: 'request', ...entry }) : formatRequestLine(entry, colour)}\n`);
  };
}

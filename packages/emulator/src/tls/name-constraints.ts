import { BlockList, isIP } from 'node:net';
import forge from 'node-forge';

/** The nameConstraints extension (RFC 5280 4.2.1.10). */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** What a CA may certify: DNS subtrees (the name and every name under it) and address ranges. */
export interface PermittedNames {
  dns: string[];
  /** CIDR ranges, e.g. "127.0.0.0/8", "::1/128". */
  ips: string[];
}

/**
 * What every emulator CA may certify, whatever start later uses it (one CA directory serves every region
 * and start): localhost and its subdomains (`*.cos.<region>.localhost`), COS's own domain (every region's
 * endpoint and bucket names, `service.cos.myqcloud.com`), loopback, and the private ranges a phone, an
 * Android emulator (10.0.2.2) or a container bridge (172.17.0.1) reaches the emulator at. No public
 * domain outside these can be certified by it, so a leaked or over-trusted CA cannot impersonate other sites.
 */
const BASE: Readonly<PermittedNames> = Object.freeze({
  dns: ['localhost', 'myqcloud.com'],
  ips: ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
});

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

function dnsPermitted(subtrees: readonly string[], name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return subtrees.some((c) => n === c || n.endsWith(`.${c}`));
}

function ipPermitted(ranges: readonly string[], address: string): boolean {
  const family = isIP(address);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  for (const range of ranges) {
    const [base, bits] = range.split('/');
    if (isIP(base!) === family) list.addSubnet(base!, Number(bits), type);
  }
  return list.check(address, type);
}

/** Whether a certificate name (a DNS name, a wildcard, or an address) falls within `permitted`. */
export function isPermitted(permitted: PermittedNames, host: string): boolean {
  const name = bare(host);
  return isIP(name) ? ipPermitted(permitted.ips, name) : dnsPermitted(permitted.dns, name);
}

/** The names a CA made for a start with these host names may certify: the base, and each name or address. */
export function permittedFor(hostnames: readonly string[]): PermittedNames {
  const out: PermittedNames = { dns: [...BASE.dns], ips: [...BASE.ips] };
  for (const host of hostnames) {
    if (isPermitted(out, host)) continue;
    const name = bare(host);
    const family = isIP(name);
    if (family) out.ips.push(`${name}/${family === 4 ? 32 : 128}`);
    else out.dns.push(name.toLowerCase().replace(/^\*\./, '').replace(/\.$/, ''));
  }
  return out;
}

const { asn1 } = forge;

/** An address as its network-order bytes (4 or 16), one character per byte as forge's DER strings hold them. */
function addressBytes(address: string): string {
  if (isIP(address) === 4) return String.fromCharCode(...address.split('.').map(Number));
  const [head = '', tail] = address.split('::');
  // An embedded IPv4 tail (::ffff:1.2.3.4) is the last two 16-bit words.
  const v4 = (w: string) => {
    const [a, b, c, d] = w.split('.').map(Number);
    return [((a! << 8) | b!).toString(16), ((c! << 8) | d!).toString(16)];
  };
  const groups = (part: string) => (part === '' ? [] : part.split(':').flatMap((w) => (w.includes('.') ? v4(w) : [w])));
  let words = groups(head);
  if (tail !== undefined) words = [...words, ...Array(8 - words.length - groups(tail).length).fill('0'), ...groups(tail)];
  return words.map((w) => String.fromCharCode(parseInt(w, 16) >> 8, parseInt(w, 16) & 0xff)).join('');
}

function addressText(bytes: string): string {
  const b = [...bytes].map((c) => c.charCodeAt(0));
  if (b.length === 4) return b.join('.');
  const words = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16));
  // Node's BlockList reads the uncompressed form as well as the compressed one.
  return words.join(':');
}

function ipRangeBytes(range: string): string {
  const [address, bitsText] = range.split('/');
  const bytes = addressBytes(address!);
  const bits = Number(bitsText);
  let mask = '';
  for (let i = 0; i < bytes.length; i++) {
    const left = Math.max(0, Math.min(8, bits - i * 8));
    mask += String.fromCharCode((0xff << (8 - left)) & 0xff);
  }
  return bytes + mask;
}

const subtree = (tag: number, value: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, value)]);

/** The extension for forge's setExtensions: critical, as RFC 5280 requires of nameConstraints. */
export function nameConstraintsExtension(permitted: PermittedNames): { id: string; critical: true; value: string } {
  const subtrees = [...permitted.dns.map((d) => subtree(2, d)), ...permitted.ips.map((r) => subtree(7, ipRangeBytes(r)))];
  const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, subtrees)]);
  return { id: NAME_CONSTRAINTS_OID, critical: true, value: asn1.toDer(value).getBytes() };
}

function rangeOf(bytes: string): string {
  const half = bytes.length / 2;
  const address = addressText(bytes.slice(0, half));
  let bits = 0;
  for (const c of bytes.slice(half)) bits += (c.charCodeAt(0).toString(2).match(/1/g) ?? []).length;
  return `${address}/${bits}`;
}

/** The permitted names of a CA certificate, or undefined when it has no nameConstraints (a CA made before they were added). */
export function permittedNamesOf(caPem: string): PermittedNames | undefined {
  const cert = forge.pki.certificateFromPem(caPem);
  const ext = cert.extensions.find((e: { id?: string }) => e.id === NAME_CONSTRAINTS_OID) as { value?: string } | undefined;
  if (!ext?.value) return undefined;
  const out: PermittedNames = { dns: [], ips: [] };
  const root = asn1.fromDer(ext.value);
  for (const part of root.value as forge.asn1.Asn1[]) {
    if (part.tagClass !== asn1.Class.CONTEXT_SPECIFIC || part.type !== 0) continue;
    for (const tree of part.value as forge.asn1.Asn1[]) {
      const general = (tree.value as forge.asn1.Asn1[])[0];
      if (!general || typeof general.value !== 'string') continue;
      if (general.type === 2) out.dns.push(general.value.toLowerCase());
      else if (general.type === 7) out.ips.push(rangeOf(general.value));
    }
  }
  return out;
}

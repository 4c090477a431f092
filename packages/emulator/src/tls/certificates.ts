import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { EmulatorConfigError } from '../config.js';
import { isPermitted, nameConstraintsExtension, permittedFor, permittedNamesOf } from './name-constraints.js';

export interface TlsMaterial {
  /** PEM of the CA that signed the server certificate: what clients must trust (absent for your own certificate). */
  caCert?: string;
  caCertPath?: string;
  cert: string;
  key: string;
}

function rsaKeyPair() {
  // Native key generation: node-forge's pure JavaScript RSA generation takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKeyPem: privateKey,
  };
}

function serial(): string {
  // Positive serial: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

function createCa(hostnames: readonly string[]): { cert: string; key: string } {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const name = [
    { name: 'commonName', value: 'cos-direct emulator local CA' },
    { name: 'organizationName', value: 'cos-direct' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    // It signs server certificates only, never another CA.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    // And only for the names an emulator serves: trusting it cannot let it vouch for any other site.
    nameConstraintsExtension(permittedFor(hostnames)),
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKeyPem };
}

function createLeaf(ca: { cert: string; key: string }, hostnames: string[]): { cert: string; key: string } {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  // Browsers refuse leaf certificates valid for more than 398 days.
  cert.validity.notAfter = new Date(Date.now() + 397 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: hostnames[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = hostnames.map((h) => {
    const ip = isIP(h.replace(/^\[|\]$/g, ''));
    return ip ? { type: 7, ip: h.replace(/^\[|\]$/g, '') } : { type: 2, value: h };
  });
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKeyPem };
}

async function readOrCreateCa(dir: string, hostnames: readonly string[]): Promise<{ cert: string; key: string }> {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  try {
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const ca = createCa(hostnames);
    const suffix = randomBytes(6).toString('hex');
    await writeFile(keyPath + suffix, ca.key, { mode: 0o600 });
    await writeFile(certPath + suffix, ca.cert);
    await rename(keyPath + suffix, keyPath);
    await rename(certPath + suffix, certPath);
    return ca;
  }
}

/**
 * The CA is created once per directory and reused, so a trusted CA stays trusted across restarts;
 * the server certificate is issued at every start for the configured host names.
 */
export async function loadTlsMaterial(caDir: string, hostnames: string[]): Promise<TlsMaterial> {
  const ca = await readOrCreateCa(caDir, hostnames);
  // A CA made for other names cannot vouch for these: clients would refuse the whole certificate.
  const permitted = permittedNamesOf(ca.cert);
  const outside = permitted ? hostnames.filter((h) => !isPermitted(permitted, h)) : [];
  if (outside.length > 0) {
    throw new EmulatorConfigError([
      `the CA in ${caDir} may not certify ${outside.join(', ')}: it was made for other host names. Use another ` +
        'CA directory (--ca-dir), or make the CA with these names (createCertificateAuthority(dir, { hostnames }))',
    ]);
  }
  const leaf = createLeaf(ca, hostnames);
  return { caCert: ca.cert, caCertPath: join(caDir, 'ca.pem'), cert: leaf.cert, key: leaf.key };
}

/**
 * Creates (or reads) the emulator CA in `dir` without starting an emulator: give the same directory to
 * several emulators or containers so that one trusted certificate covers them all. `hostnames`: names
 * beyond localhost, COS's domains, loopback and private addresses that their `--hostname`s will use.
 */
export async function createCertificateAuthority(
  dir: string,
  options: { hostnames?: readonly string[] } = {},
): Promise<{ caCertPath: string; caCert: string }> {
  const ca = await readOrCreateCa(dir, options.hostnames ?? []);
  return { caCertPath: join(dir, 'ca.pem'), caCert: ca.cert };
}

/** Reads a certificate and key of the user's own, refusing at start a pair that cannot serve HTTPS. */
export async function readOwnTlsMaterial(paths: { certPath: string; keyPath: string }): Promise<TlsMaterial> {
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new EmulatorConfigError([`cannot read the TLS ${what} ${path}: ${(e as Error).message}`]);
    }
  };
  const cert = await read(paths.certPath, 'certificate');
  const key = await read(paths.keyPath, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new EmulatorConfigError([
      `the TLS certificate ${paths.certPath} and key ${paths.keyPath} do not make a usable pair: ${(e as Error).message}`,
    ]);
  }
  return { cert, key };
}

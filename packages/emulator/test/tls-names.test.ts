import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, EmulatorConfigError, type RunningEmulator, startEmulator } from '../src/index.js';
import { BUCKET, emulator, REGION } from './helpers.js';

/** A GET over TLS to the emulator as `hostname`: the certificate is checked against that name. */
function getAs(emu: RunningEmulator, hostname: string): Promise<{ status: number; requestId: string | undefined }> {
  const { port } = new URL(emu.info.cos.https!);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', servername: hostname, ca: emu.info.caCert, headers: { host: hostname } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: res.headers['x-cos-request-id'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe("the emulator's certificate", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.close());

  for (const hostname of [`${BUCKET}.cos.${REGION}.myqcloud.com`, `cos.${REGION}.myqcloud.com`, 'service.cos.myqcloud.com']) {
    it(`is valid for ${hostname}, where the official SDKs send requests`, async () => {
      const res = await getAs(emu, hostname);
      expect(res.requestId).toBeTruthy();
    });
  }

  it('is not valid for a name it was not issued for', async () => {
    await expect(getAs(emu, 'cos.example.com')).rejects.toThrow(/altnames|Hostname/i);
  });
});

describe('the emulator CA', () => {
  it('may sign server certificates only: pathLen 0, so no CA made under it is trusted', async () => {
    const { caCert } = await createCertificateAuthority(await mkdtemp(join(tmpdir(), 'cos-ca-pathlen-')));
    const constraints = forge.pki.certificateFromPem(caCert).getExtension('basicConstraints') as {
      cA: boolean;
      pathLenConstraint?: number;
    };
    expect(constraints).toMatchObject({ cA: true, pathLenConstraint: 0 });
    expect(new X509Certificate(caCert).ca).toBe(true);
  });
});

/** The permitted subtrees of a CA's nameConstraints, read straight from its DER: [GeneralName tag, value]. */
function permittedSubtrees(caPem: string): { critical: boolean; names: Array<[number, string]> } {
  const ext = forge.pki.certificateFromPem(caPem).extensions.find((e: { id: string }) => e.id === '2.5.29.30');
  expect(ext).toBeDefined();
  const [permitted] = forge.asn1.fromDer(ext.value).value as forge.asn1.Asn1[];
  expect(permitted).toMatchObject({ tagClass: forge.asn1.Class.CONTEXT_SPECIFIC, type: 0 });
  const names = (permitted!.value as forge.asn1.Asn1[]).map((tree): [number, string] => {
    const name = (tree.value as forge.asn1.Asn1[])[0]!;
    return [name.type, name.type === 7 ? forge.util.bytesToHex(name.value as string) : (name.value as string)];
  });
  return { critical: ext.critical, names };
}

/** A server certificate for `names`, signed with the CA in `dir` (as a leaked CA key would sign it). */
async function leafFrom(dir: string, names: string[]) {
  const caCert = forge.pki.certificateFromPem(await readFile(join(dir, 'ca.pem'), 'utf8'));
  const caKey = forge.pki.privateKeyFromPem(await readFile(join(dir, 'ca-key.pem'), 'utf8'));
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ name: 'commonName', value: names[0]! }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** An HTTPS GET of a server with `leaf` as `servername`, trusting only `ca`: 'ok', or the error's code and message. */
async function handshake(leaf: { cert: string; key: string }, ca: string, servername: string): Promise<string> {
  const server = createServer(leaf, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve) => {
      request({ host: '127.0.0.1', port, servername, ca, headers: { host: servername } }, (res) => {
        res.resume();
        res.on('end', () => resolve('ok'));
      })
        .on('error', (e: NodeJS.ErrnoException) => resolve(`${e.code}: ${e.message}`))
        .end();
    });
  } finally {
    server.close();
  }
}

describe("the emulator CA's name constraints", () => {
  it('permit only localhost, COS domains, loopback and private addresses, and the names it was made for', async () => {
    const { caCert } = await createCertificateAuthority(await mkdtemp(join(tmpdir(), 'cos-ca-names-')), {
      hostnames: ['cos.example.test', '*.images.example.test', '203.0.113.7'],
    });
    const { critical, names } = permittedSubtrees(caCert);
    expect(critical).toBe(true);
    expect(names).toEqual([
      [2, 'localhost'],
      [2, 'myqcloud.com'],
      [2, 'cos.example.test'],
      [2, 'images.example.test'],
      [7, '7f000000ff000000'],
      [7, `${'0'.repeat(31)}1${'f'.repeat(32)}`],
      [7, '0a000000ff000000'],
      [7, 'ac100000fff00000'],
      [7, 'c0a80000ffff0000'],
      [7, `fc${'0'.repeat(30)}fe${'0'.repeat(30)}`],
      [7, 'cb007107ffffffff'],
    ]);
    expect(new X509Certificate(caCert).ca).toBe(true);
  });

  it("let Node's TLS trust the emulator's own certificate, and refuse one the CA issues for another site", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-ca-verify-'));
    const emu = await startEmulator({ caDir: dir, httpPort: 0, httpsPort: 0 });
    try {
      expect(permittedSubtrees(emu.info.caCert!).names.length).toBeGreaterThan(0);
      for (const name of ['localhost', `${BUCKET}.cos.${REGION}.localhost`, `${BUCKET}.cos.${REGION}.myqcloud.com`]) {
        expect((await getAs(emu, name)).requestId).toBeTruthy();
      }
    } finally {
      await emu.close();
    }
    const ca = await readFile(join(dir, 'ca.pem'), 'utf8');
    expect(await handshake(await leafFrom(dir, ['cos.ap-guangzhou.myqcloud.com']), ca, 'cos.ap-guangzhou.myqcloud.com')).toBe('ok');
    // Before the constraint a leaked ca-key.pem (or a trusted ca.pem) could vouch for any site.
    expect(await handshake(await leafFrom(dir, ['www.example.com']), ca, 'www.example.com')).toBe(
      'UNSPECIFIED: permitted subtree violation',
    );
  });

  it('refuse, at start, a host name the CA was not made for; a CA made with it serves it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cos-ca-later-'));
    await createCertificateAuthority(dir);
    const refused = await startEmulator({ caDir: dir, httpPort: 0, httpsPort: 0, hostnames: ['cos.example.test'] }).catch((e) => e);
    expect(refused).toBeInstanceOf(EmulatorConfigError);
    expect(refused.message).toContain('may not certify cos.example.test');

    const made = await mkdtemp(join(tmpdir(), 'cos-ca-made-'));
    await createCertificateAuthority(made, { hostnames: ['cos.example.test'] });
    const emu = await startEmulator({ caDir: made, httpPort: 0, httpsPort: 0, hostnames: ['cos.example.test', '10.0.2.2'] });
    try {
      expect((await getAs(emu, 'cos.example.test')).requestId).toBeTruthy();
    } finally {
      await emu.close();
    }
  });
});

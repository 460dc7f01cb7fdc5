import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * For tests: a private CA, another CA, and a server certificate (for
 * 127.0.0.1, ::1 and localhost) the first one signed, made with openssl the
 * way the README makes them. Paths, and the PEM text tests that run servers
 * in-process need.
 */
export interface TlsFiles {
  dir: string;
  /** The CA's certificate: what clients pass with --ca. */
  ca: string;
  /** The server's certificate and key: --tls-cert, --tls-key. */
  cert: string;
  key: string;
  /** Another CA's certificate: a client given it still does not trust the server. */
  otherCa: string;
  pem: { ca: string; cert: string; key: string; otherCa: string };
  cleanup(): Promise<void>;
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes the files in a fresh temporary directory. */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'nexa-tls-'));
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ca = (name: string) =>
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  await Promise.all([ca('ca'), ca('other-ca')]);
  await writeFile(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=nexa-test');
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  );
  const paths = {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    otherCa: join(dir, 'other-ca.crt'),
  };
  const text = (path: string) => readFile(path, 'utf8');
  const [caPem, certPem, keyPem, otherCaPem] = await Promise.all([
    text(paths.ca),
    text(paths.cert),
    text(paths.key),
    text(paths.otherCa),
  ]);
  return {
    dir,
    ...paths,
    pem: { ca: caPem, cert: certPem, key: keyPem, otherCa: otherCaPem },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

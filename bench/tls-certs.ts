// Certificates for the tests' TLS engine, made with openssl as Docker's "Protect the daemon socket"
// guide makes them: a CA, a server certificate for 127.0.0.1 (serverAuth), a client certificate
// (clientAuth). Also what the failure tests need: a second CA that signed nothing the engine
// shows, and a server certificate that expired in 2020 (through `openssl ca`, the only way openssl
// 3.0 writes dates in the past).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (cwd: string, ...args: string[]): void => {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.trim()}`);
};

export interface CertFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A directory in DOCKER_CERT_PATH's layout: ca.pem, cert.pem, key.pem (the client's). */
  clientDir: string;
  /** A client directory whose ca.pem is another CA's. */
  wrongCaDir: string;
  /** An expired server certificate and its key, signed by the right CA. */
  expiredCert: string;
  expiredKey: string;
}

/** Makes them in `dir` (once: a directory that has them is used as it is). */
export function makeCerts(dir: string): CertFiles {
  const files: CertFiles = {
    dir,
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server-cert.pem'),
    serverKey: join(dir, 'server-key.pem'),
    clientDir: join(dir, 'client'),
    wrongCaDir: join(dir, 'wrong-ca'),
    expiredCert: join(dir, 'expired-cert.pem'),
    expiredKey: join(dir, 'expired-key.pem'),
  };
  if (existsSync(join(dir, 'done'))) return files;
  mkdirSync(files.clientDir, { recursive: true });
  mkdirSync(files.wrongCaDir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    dir,
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=tfmon test CA',
  );
  openssl(
    dir,
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'other-ca-key.pem',
    '-out',
    'wrong-ca/ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=tfmon other CA',
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName = IP:127.0.0.1,DNS:localhost\nextendedKeyUsage = serverAuth\n',
  );
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage = clientAuth\n');
  const sign = (name: string, ext: string, subj: string, out: string, key: string): void => {
    openssl(dir, 'req', ...ec, '-keyout', key, '-out', `${name}.csr`, '-subj', subj);
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      ext,
      '-out',
      out,
    );
  };
  sign('server', 'server.ext', '/CN=127.0.0.1', 'server-cert.pem', 'server-key.pem');
  sign('client', 'client.ext', '/CN=tfmon test client', 'client/cert.pem', 'client/key.pem');
  openssl(dir, 'x509', '-in', 'ca.pem', '-out', 'client/ca.pem');
  // The wrong-CA directory holds a valid client pair; only its CA differs.
  openssl(dir, 'x509', '-in', 'client/cert.pem', '-out', 'wrong-ca/cert.pem');
  openssl(dir, 'pkey', '-in', 'client/key.pem', '-out', 'wrong-ca/key.pem');
  // `openssl ca` takes explicit dates: an expired server certificate.
  mkdirSync(join(dir, 'ca-db'), { recursive: true });
  writeFileSync(join(dir, 'ca-db', 'index.txt'), '');
  writeFileSync(join(dir, 'ca-db', 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `dir = ${join(dir, 'ca-db')}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      'default_md = sha256',
      'policy = any',
      'copy_extensions = none',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '[server]',
      'subjectAltName = IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage = serverAuth',
      '',
    ].join('\n'),
  );
  openssl(dir, 'req', ...ec, '-keyout', 'expired-key.pem', '-out', 'expired.csr', '-subj', '/CN=127.0.0.1');
  openssl(
    dir,
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-extensions',
    'server',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca-key.pem',
    '-in',
    'expired.csr',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
    '-out',
    'expired-cert.pem',
  );
  writeFileSync(join(dir, 'done'), '');
  return files;
}

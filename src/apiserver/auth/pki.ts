// The cluster's PKI, kept as PEM files in one directory: generated at first start, loaded on
// later ones, and re-issued piecewise when something is missing or no longer fits (the role of
// kubeadm's `init phase certs`, cmd/kubeadm/app/phases/certs/certs.go, for a single node).
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { certFacts, createCa, isSignedBy, issueCert, keyMatchesCert, type CertKeyPem } from './certs.ts';

export interface Pki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

export interface PkiOptions {
  /** Extra DNS names for the serving certificate (e.g. the machine's host name). */
  hostnames: string[];
  /**
   * Extra IP addresses for the serving certificate (e.g. the address served on). A host name here
   * is added as a DNS name; the wildcard addresses 0.0.0.0 and :: are skipped.
   */
  ips: string[];
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
} as const;

export const CA_NAME = 'skiff-ca';
export const ADMIN_USER = 'skiff-admin';
export const ADMIN_GROUP = 'system:masters';

const CA_DAYS = 3650;
const LEAF_DAYS = 365;
// Leaves closer than this to expiry are re-issued at start.
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const CERT_MODE = 0o644;
const KEY_MODE = 0o600;

const DEFAULT_DNS = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
const DEFAULT_IPS = ['127.0.0.1', '::1'];
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export async function ensurePki(dir: string, opts: PkiOptions): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A listen address may be a host name or a wildcard: names go to DNS SANs, wildcards nowhere.
  const givenIps = opts.ips.filter((a) => isIP(a) !== 0 && !UNSPECIFIED.has(normalizeIp(a)));
  const givenNames = opts.ips.filter((a) => isIP(a) === 0 && a !== '');
  const dnsNames = unique([...DEFAULT_DNS, ...opts.hostnames.filter((h) => h !== ''), ...givenNames]);
  const ips = unique([...DEFAULT_IPS, ...givenIps].map(normalizeIp));

  let ca = await loadPair(dir, PKI_FILES.caCert, PKI_FILES.caKey);
  let caIsNew = false;
  if (ca && !keyMatchesCert(ca.keyPem, ca.certPem)) {
    throw new Error(`Cannot load the CA in "${dir}": ${PKI_FILES.caKey} does not belong to ${PKI_FILES.caCert}; remove both to generate a new CA`);
  }
  if (!ca || certFacts(ca.certPem).notAfter.getTime() <= Date.now()) {
    ca = await createCa(CA_NAME, CA_DAYS);
    await savePair(dir, PKI_FILES.caCert, PKI_FILES.caKey, ca);
    caIsNew = true;
  }

  let server = caIsNew ? undefined : await loadPair(dir, PKI_FILES.serverCert, PKI_FILES.serverKey);
  if (!server || !(await leafIsGood(server, ca)) || !coversNames(server.certPem, dnsNames, ips)) {
    server = await issueCert(ca, { cn: 'kube-apiserver', usage: 'server', dnsNames, ips, days: LEAF_DAYS });
    await savePair(dir, PKI_FILES.serverCert, PKI_FILES.serverKey, server);
  }

  let admin = caIsNew ? undefined : await loadPair(dir, PKI_FILES.adminCert, PKI_FILES.adminKey);
  if (!admin || !(await leafIsGood(admin, ca))) {
    admin = await issueCert(ca, { cn: ADMIN_USER, orgs: [ADMIN_GROUP], usage: 'client', days: LEAF_DAYS });
    await savePair(dir, PKI_FILES.adminCert, PKI_FILES.adminKey, admin);
  }

  return {
    caCertPem: ca.certPem, caKeyPem: ca.keyPem,
    serverCertPem: server.certPem, serverKeyPem: server.keyPem,
    adminCertPem: admin.certPem, adminKeyPem: admin.keyPem,
  };
}

/** A client certificate signed by the cluster CA: CN is the user name, O the groups. */
export async function issueClientCert(pki: Pick<Pki, 'caCertPem' | 'caKeyPem'>, cn: string, orgs: string[], days = LEAF_DAYS): Promise<CertKeyPem> {
  return await issueCert({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, { cn, orgs, usage: 'client', days });
}

async function leafIsGood(leaf: CertKeyPem, ca: CertKeyPem): Promise<boolean> {
  try {
    if (!keyMatchesCert(leaf.keyPem, leaf.certPem)) return false;
    if (certFacts(leaf.certPem).notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    return await isSignedBy(leaf.certPem, ca.certPem);
  } catch {
    // Unparseable leaf material is simply issued again.
    return false;
  }
}

function coversNames(certPem: string, dnsNames: string[], ips: string[]): boolean {
  const facts = certFacts(certPem);
  const haveIps = new Set(facts.ips.map(normalizeIp));
  return dnsNames.every((n) => facts.dnsNames.includes(n)) && ips.every((ip) => haveIps.has(ip));
}

function normalizeIp(ip: string): string {
  // ::1 and 0:0:…:1 are the same address; compare IPv6 in a canonical form.
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

async function loadPair(dir: string, certFile: string, keyFile: string): Promise<CertKeyPem | undefined> {
  const certPem = await readOptional(join(dir, certFile));
  const keyPem = await readOptional(join(dir, keyFile));
  return certPem !== undefined && keyPem !== undefined ? { certPem, keyPem } : undefined;
}

async function savePair(dir: string, certFile: string, keyFile: string, pair: CertKeyPem): Promise<void> {
  // Key first: a crash in between leaves a pair that does not match, which the next start re-issues.
  await writeFileAtomic(join(dir, keyFile), pair.keyPem, KEY_MODE);
  await writeFileAtomic(join(dir, certFile), pair.certPem, CERT_MODE);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

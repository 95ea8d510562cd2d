// X.509 material for the cluster: a self-signed CA and leaf certificates signed by it, as PEM.
// Keys are ECDSA P-256 (accepted by Go's crypto/tls, i.e. kubectl and client-go, and by OpenSSL,
// i.e. Node). The shapes mirror k8s.io/client-go/util/cert (NewSelfSignedCACert) and kubeadm's
// pkiutil: CA with keyCertSign, leaves with digitalSignature and a server or client EKU.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface CertKeyPem {
  certPem: string;
  keyPem: string;
}

export interface LeafSpec {
  cn: string;
  orgs?: string[];
  usage: 'server' | 'client';
  dnsNames?: string[];
  ips?: string[];
  days: number;
}

const EC_KEYGEN: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const DAY_MS = 24 * 60 * 60 * 1000;
// Tolerate clocks a little behind ours (client-go backdates by a few minutes for the same reason).
const BACKDATE_MS = 5 * 60 * 1000;

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type SignAlgorithm = webcrypto.EcdsaParams | webcrypto.Algorithm;

function subtle(): webcrypto.SubtleCrypto {
  return webcrypto.subtle;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return await subtle().generateKey(EC_KEYGEN, true, ['sign', 'verify']);
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle().exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** The signing algorithm that goes with a key (ECDSA by curve size, else RSA PKCS#1 v1.5). */
function algorithmsFor(pem: string): { importAlg: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams; signAlg: SignAlgorithm } {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : 'P-256';
    const hash = namedCurve === 'P-384' ? 'SHA-384' : namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256';
    return { importAlg: { name: 'ECDSA', namedCurve }, signAlg: { name: 'ECDSA', hash } };
  }
  if (key.asymmetricKeyType === 'rsa') {
    return { importAlg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signAlg: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  throw new Error(`Cannot use private key: unsupported type "${key.asymmetricKeyType}" (want EC or RSA)`);
}

async function importSigningKey(pem: string): Promise<{ key: CryptoKey; signAlg: SignAlgorithm }> {
  const { importAlg, signAlg } = algorithmsFor(pem);
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  const key = await subtle().importKey('pkcs8', der, importAlg, false, ['sign']);
  return { key, signAlg };
}

/** A positive, minimally encoded 128-bit serial (Go rejects negative serial numbers). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

function name(cn: string, orgs: readonly string[] = []): x509.JsonName {
  return [...orgs.map((o) => ({ O: [o] })), { CN: [cn] }];
}

export async function createCa(cn: string, days: number): Promise<CertKeyPem> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: name(cn),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } satisfies webcrypto.EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
}

export async function issueCert(ca: CertKeyPem, spec: LeafSpec): Promise<CertKeyPem> {
  const keys = await generateKeys();
  return { certPem: await signLeaf(ca, keys.publicKey, spec), keyPem: await keyToPem(keys.privateKey) };
}

/** A leaf certificate for a public key whose private half stays elsewhere (a node's own key, from its CSR). */
export async function signLeaf(ca: CertKeyPem, publicKey: CryptoKey, spec: LeafSpec): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const signer = await importSigningKey(ca.keyPem);
  const now = Date.now();
  const sans: x509.JsonGeneralName[] = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const usage = spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([usage]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: name(spec.cn, spec.orgs),
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + spec.days * DAY_MS, caCert.notAfter.getTime())),
    publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.signAlg,
    extensions,
  });
  return cert.toString('pem');
}

export interface CertFacts {
  notAfter: Date;
  dnsNames: string[];
  ips: string[];
}

export function certFacts(certPem: string): CertFacts {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  return {
    notAfter: cert.notAfter,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ips: names.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

/** Whether `certPem` was signed by the CA certificate `caPem`. */
export async function isSignedBy(certPem: string, caPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caPem);
  if (cert.issuer !== ca.subject) return false;
  return await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}

/** Whether a private key belongs to a certificate (so a half-replaced pair is noticed). */
export function keyMatchesCert(keyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData);
  return fromKey.equals(fromCert);
}

/**
 * A new key pair and a PKCS#10 request for it (what a kubelet sends to get its client
 * certificate: k8s.io/client-go/util/certificate/csr). The private key never leaves the caller.
 */
export async function createCsr(cn: string, orgs: readonly string[]): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await generateKeys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: name(cn, orgs),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } satisfies webcrypto.EcdsaParams,
  });
  return { csrPem: csr.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
}

export interface CsrFacts {
  /** Subject attributes in order, e.g. [['O', 'system:nodes'], ['CN', 'system:node:n1']]. */
  subject: Array<[string, string]>;
  /** Whether the request asks for any extension (SANs and the like). */
  hasExtensions: boolean;
  publicKey: CryptoKey;
}

/** Parses a PEM certificate request and checks its self-signature (proof the requester holds the key). */
export async function readCsr(pem: string): Promise<CsrFacts> {
  const csr = new x509.Pkcs10CertificateRequest(pem);
  if (!(await csr.verify())) throw new Error('the request\'s signature does not verify');
  const subject: Array<[string, string]> = [];
  for (const rdn of csr.subjectName.toJSON()) {
    for (const [k, vs] of Object.entries(rdn)) for (const v of vs) subject.push([k, v]);
  }
  return { subject, hasExtensions: csr.extensions.length > 0, publicKey: await csr.publicKey.export() };
}

/** X.509 key usage bits by the names certificates.k8s.io uses (pkg/apis/certificates/helpers.go keyUsageDict). */
const KEY_USAGE_BITS: Readonly<Record<string, number>> = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};

/** Extended key usage OIDs by name (extKeyUsageDict). */
const EXT_KEY_USAGE_OIDS: Readonly<Record<string, string>> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

export interface CertificateRequestFacts {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ips: string[];
  emails: string[];
  uris: string[];
}

const SAN_OID = '2.5.29.17';

function requestSans(csr: x509.Pkcs10CertificateRequest): x509.SubjectAlternativeNameExtension | undefined {
  const ext = csr.extensions.find((e) => e.type === SAN_OID);
  return ext ? new x509.SubjectAlternativeNameExtension(ext.rawData) : undefined;
}

function requestFacts(csr: x509.Pkcs10CertificateRequest): CertificateRequestFacts {
  const subject = csr.subjectName.toJSON();
  const values = (k: string): string[] => subject.flatMap((rdn) => rdn[k] ?? []);
  const names = requestSans(csr)?.names.items ?? [];
  const of = (t: string): string[] => names.filter((n) => n.type === t).map((n) => n.value);
  return {
    commonName: values('CN')[0] ?? '', organizations: values('O'),
    dnsNames: of('dns'), ips: of('ip'), emails: of('email'), uris: of('url'),
  };
}

/**
 * Parses a PEM "CERTIFICATE REQUEST" and checks its self-signature (what
 * x509.ParseCertificateRequest and CheckSignature do for the CSR API).
 */
export async function parseCertificateRequest(pem: string): Promise<CertificateRequestFacts> {
  const csr = new x509.Pkcs10CertificateRequest(pem);
  if (!(await csr.verify())) throw new Error('x509: ECDSA verification failure: the request\'s signature does not verify');
  return requestFacts(csr);
}

/**
 * A certificate for a PKCS#10 request, as kube-controller-manager's local signer issues it
 * (pkg/controller/certificates/authority/authority.go): the request's subject, public key and
 * subject alternative names; key usages from `usages`; valid from `notBefore` to `notAfter`
 * (never past the CA's own expiry).
 */
export async function signCertificateRequest(ca: CertKeyPem, pem: string, o: { usages: readonly string[]; notBefore: Date; notAfter: Date }): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(pem);
  const caCert = new x509.X509Certificate(ca.certPem);
  const signer = await importSigningKey(ca.keyPem);
  let bits = 0;
  const ekus: string[] = [];
  for (const u of o.usages) {
    if (KEY_USAGE_BITS[u] !== undefined) bits |= KEY_USAGE_BITS[u];
    const oid = EXT_KEY_USAGE_OIDS[u];
    if (oid && !ekus.includes(oid)) ekus.push(oid);
  }
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (bits) extensions.push(new x509.KeyUsagesExtension(bits, true));
  if (ekus.length) extensions.push(new x509.ExtendedKeyUsageExtension(ekus));
  const san = requestSans(csr);
  if (san) extensions.push(new x509.SubjectAlternativeNameExtension(san.names.toJSON()));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: csr.subjectName,
    issuer: caCert.subjectName,
    notBefore: o.notBefore,
    notAfter: new Date(Math.min(o.notAfter.getTime(), caCert.notAfter.getTime())),
    publicKey: await csr.publicKey.export(),
    signingKey: signer.key,
    signingAlgorithm: signer.signAlg,
    extensions,
  });
  return cert.toString('pem');
}

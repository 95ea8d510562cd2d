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

// The kubelet's self-signed serving certificate, made at start when no other is configured (as
// the kubelet does without --tls-cert-file: pkg/kubelet/kubelet.go, cert.GenerateSelfSignedCertKey
// with "<hostname>-ca@<time>"). The API server does not verify it (no
// --kubelet-certificate-authority), so only its key and names matter. The Ingress controller's
// default certificate is made the same way. A folder of its own below both: neither imports the
// other, and neither imports the API server.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface ServingCert {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A self-signed ECDSA P-256 serving certificate for `host` (a name or an address) and loopback. */
export async function selfSignedServingCert(host: string, extraNames: string[] = [], days = 365): Promise<ServingCert> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const names = [...new Set([host, ...extraNames, 'localhost', '127.0.0.1'])].filter((n) => n !== '');
  const sans: x509.JsonGeneralName[] = names.map((value) => ({ type: isIP(value) ? 'ip' as const : 'dns' as const, value }));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, as Go requires
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [`${host}@${Math.floor(now / 1000)}`] }],
    notBefore: new Date(now - 5 * 60 * 1000),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

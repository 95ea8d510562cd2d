// CertificateSigningRequest validation (pkg/apis/certificates/validation/validation.go). The
// request's self-signature is checked by the signer (it needs async crypto); here the PEM block
// and the DER inside it must parse.
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { duplicate, forbidden, invalid, notSupported, pushAll, required, tooLong } from './field-errors.ts';
import { DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN_MAX, isDNS1123Label, isDNS1123Subdomain } from './names.ts';
import { asArr, asObj, asStr } from './util.ts';

/** Usages a request may ask for (certificates/v1 KeyUsage). */
export const KEY_USAGES: readonly string[] = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
];
const USAGE_SET = new Set(KEY_USAGES);

export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const MIN_EXPIRATION_SECONDS = 600;

interface PemBlock { type: string; headers: boolean; der: Buffer }

/** The PEM blocks of a text, in order (encoding/pem Decode, minus the parts no caller here needs). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2]!;
    const headers = /^[^\s:]+:/m.test(body);
    out.push({ type: m[1]!, headers, der: Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') });
  }
  return out;
}

/** The decoded bytes of a `[]byte` field (base64 in JSON). */
export function bytesField(v: unknown): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
}

function requestError(request: Buffer): string | undefined {
  const block = pemBlocks(request.toString('latin1'))[0];
  if (!block || block.type !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  try {
    new Pkcs10CertificateRequest(block.der);
  } catch (err) {
    return `x509: malformed certificate request: ${(err as Error).message}`;
  }
  return undefined;
}

/** status.certificate: empty, or only CERTIFICATE blocks, each parsing (validateCertificate). */
export function certificateError(pem: Buffer): string | undefined {
  if (pem.length === 0) return undefined;
  const blocks = pemBlocks(pem.toString('latin1'));
  for (const b of blocks) {
    if (b.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b.type}"`;
    if (b.headers) return 'no PEM block headers are permitted';
    try {
      new X509Certificate(b.der);
    } catch (err) {
      return `x509: malformed certificate: ${(err as Error).message}`;
    }
  }
  return blocks.length === 0 ? 'must contain at least one CERTIFICATE PEM block' : undefined;
}

/** A signer name `example.com/path` (pkg/apis/core/validation ValidateSignerName). */
export function validateSignerName(field: string, signerName: string): FieldError[] {
  if (signerName === '') return [required(field)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > DNS1123_SUBDOMAIN_MAX) errs.push(tooLong(field, DNS1123_SUBDOMAIN_MAX));
  const labels = domain.split('.');
  for (const l of labels) {
    const e = isDNS1123Label(l);
    if (e.length) { for (const m of e) errs.push(invalid(field, domain, `validating label "${l}": ${m}`)); break; }
  }
  if (labels.length < 2) errs.push(invalid(field, domain, 'should be a domain with at least two segments separated by dots'));
  for (const c of path.split('.')) {
    const e = isDNS1123Subdomain(c);
    if (e.length) { for (const m of e) errs.push(invalid(field, path, `validating component "${c}": ${m}`)); break; }
  }
  const max = DNS1123_SUBDOMAIN_MAX * 2 + DNS1123_LABEL_MAX + 2;
  if (signerName.length > max) errs.push(tooLong(field, max));
  return errs;
}

export function csrConditions(o: KubeObject): Array<Record<string, unknown>> {
  return asArr(asObj(o.status).conditions).map(asObj);
}

/** validateCertificateSigningRequest: what every create and update must satisfy. */
export function validateCertificateSigningRequest(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  const reqErr = requestError(bytesField(spec.request));
  if (reqErr) errs.push(invalid('spec.request', asStr(spec.request), reqErr));
  const usages = asArr(spec.usages).map(asStr);
  if (usages.length === 0) errs.push(required('spec.usages'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!USAGE_SET.has(u)) errs.push(notSupported(`spec.usages[${i}]`, u, [...KEY_USAGES].sort()));
    if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  const signerName = asStr(spec.signerName);
  if (signerName === LEGACY_UNKNOWN_SIGNER) errs.push(invalid('spec.signerName', signerName, 'the legacy signerName is not allowed via this API version'));
  else pushAll(errs, validateSignerName('spec.signerName', signerName));
  if (typeof spec.expirationSeconds === 'number' && spec.expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  let approved = false;
  let denied = false;
  const types = new Set<string>();
  csrConditions(o).forEach((c, i) => {
    const type = asStr(c.type);
    const status = asStr(c.status);
    const at = `status.conditions[${i}]`;
    if (type === '') errs.push(required(`${at}.type`));
    if (type === 'Approved' || type === 'Denied') {
      if (type === 'Approved') approved = true; else denied = true;
      if (status !== 'True') errs.push(notSupported(`${at}.status`, status, ['True']));
    } else if (!CONDITION_STATUSES.includes(status)) {
      errs.push(notSupported(`${at}.status`, status, CONDITION_STATUSES));
    }
    if (types.has(type)) errs.push(duplicate(`${at}.type`, type));
    types.add(type);
  });
  if (approved && denied) errs.push(invalid('status.conditions', '', 'Approved and Denied conditions are mutually exclusive'));
  const certErr = certificateError(bytesField(asObj(o.status).certificate));
  if (certErr) errs.push(invalid('status.certificate', '<certificate data>', certErr));
  return errs;
}

/** validateCertificateSigningRequestUpdate: conditions are never removed, an issued certificate never changes. */
export function validateCertificateSigningRequestUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const t of ['Approved', 'Denied', 'Failed']) {
    const n = (x: KubeObject): number => csrConditions(x).filter((c) => c.type === t).length;
    if (n(o) < n(old)) errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
  const oldCert = asStr(asObj(old.status).certificate);
  if (oldCert !== '' && asStr(asObj(o.status).certificate) !== oldCert) {
    errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}

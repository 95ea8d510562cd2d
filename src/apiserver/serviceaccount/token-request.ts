// POST serviceaccounts/<name>/token: a TokenRequest (authentication.k8s.io/v1) answered with a
// signed, audience- and time-bound token, optionally bound to a pod or secret
// (pkg/registry/core/serviceaccount/storage/token.go, pkg/apis/authentication/validation).
import { badRequest, conflict, invalid, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { buildClaims } from './claims.ts';
import { signJwt, type SigningKey } from './jwt.ts';

type Obj = Record<string, any>;

export interface TokenSigner {
  key: SigningKey;
  issuer: string;
  /** Given to tokens whose request names no audience (kube-apiserver --api-audiences). */
  audiences: string[];
}

export interface TokenRequestInput {
  namespace: string;
  /** The service account's name, from the URL. */
  name: string;
  body: Obj;
  signer: TokenSigner;
  /** Reads an object of the namespace; throws NotFound as a GET would. */
  get(resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string): Promise<KubeObject>;
  now: Date;
}

const GROUP = 'authentication.k8s.io';
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

/** The TokenRequest to answer with 201: the request, defaulted, with status.token set. */
export async function createToken(input: TokenRequestInput): Promise<Obj> {
  const { body, namespace, name } = input;
  if (body.apiVersion !== undefined && body.apiVersion !== `${GROUP}/v1`) throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${GROUP}/v1)`);
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (TokenRequest)`);
  const meta = (body.metadata ?? {}) as Obj;
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const spec = { ...(body.spec ?? {}) } as Obj;
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  spec.audiences ??= [];
  validate(spec, name);

  const sa = await input.get('serviceaccounts', namespace, name);
  let pod: KubeObject | undefined;
  let secret: KubeObject | undefined;
  let node: KubeObject | undefined;
  const ref = spec.boundObjectRef as Obj | undefined;
  if (ref) {
    const apiVersion = (ref.apiVersion ?? 'v1') as string;
    let bound: KubeObject;
    if (apiVersion === 'v1' && ref.kind === 'Pod') {
      bound = pod = await input.get('pods', namespace, ref.name as string);
      const podSa = ((pod.spec ?? {}) as Obj).serviceAccountName ?? 'default';
      if (podSa !== name) throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      // The pod's node goes into the claims when it can be read (ServiceAccountTokenPodNodeInfo);
      // a node that cannot be read only leaves the claim out, as upstream.
      const nodeName = ((pod.spec ?? {}) as Obj).nodeName as string | undefined;
      if (nodeName) node = await input.get('nodes', '', nodeName).catch(() => undefined);
    } else if (apiVersion === 'v1' && ref.kind === 'Secret') {
      bound = secret = await input.get('secrets', namespace, ref.name as string);
    } else if (apiVersion === 'v1' && ref.kind === 'Node') {
      // ServiceAccountTokenNodeBinding (on by default since 1.31).
      bound = node = await input.get('nodes', '', ref.name as string);
    } else {
      throw badRequest(`cannot bind token to object of type ${apiVersion}, Kind=${String(ref.kind)}`);
    }
    const uid = bound.metadata.uid ?? '';
    if (ref.uid && ref.uid !== uid) {
      throw conflict({ group: '', resource: ref.kind as string }, ref.name as string,
        `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }

  const audiences = (spec.audiences as string[]).length > 0 ? spec.audiences as string[] : input.signer.audiences;
  const claims = buildClaims({
    issuer: input.signer.issuer, serviceAccount: sa, ...(pod ? { pod } : {}), ...(secret ? { secret } : {}), ...(node ? { node } : {}),
    audiences, expirationSeconds: spec.expirationSeconds as number, now: input.now,
  });
  return {
    kind: 'TokenRequest',
    apiVersion: `${GROUP}/v1`,
    metadata: { ...meta, name, namespace, creationTimestamp: meta.creationTimestamp ?? null },
    spec: { ...spec, audiences },
    status: { token: signJwt(claims, input.signer.key), expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}

function validate(spec: Obj, name: string): void {
  const errs: FieldError[] = [];
  const exp = spec.expirationSeconds as unknown;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', badValue: exp, detail: 'must be an integer number of seconds' });
  } else if (exp < MIN_EXPIRATION_SECONDS) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', badValue: exp, detail: 'may not specify a duration less than 10 minutes' });
  } else if (exp > MAX_EXPIRATION_SECONDS) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', badValue: exp, detail: 'may not specify a duration larger than 2^32 seconds' });
  }
  const auds = spec.audiences as unknown;
  if (!Array.isArray(auds) || auds.some((a) => typeof a !== 'string' || a === '')) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.audiences', badValue: auds, detail: 'must be a list of non-empty strings' });
  }
  const ref = spec.boundObjectRef as Obj | undefined | null;
  if (ref !== undefined && ref !== null) {
    if (typeof ref !== 'object') errs.push({ type: 'FieldValueInvalid', field: 'spec.boundObjectRef', badValue: ref, detail: 'must be an object' });
    else if (typeof ref.name !== 'string' || ref.name === '') errs.push({ type: 'FieldValueRequired', field: 'spec.boundObjectRef.name', detail: '' });
  } else {
    delete spec.boundObjectRef;
  }
  if (errs.length > 0) throw invalid('TokenRequest', GROUP, name, errs);
}

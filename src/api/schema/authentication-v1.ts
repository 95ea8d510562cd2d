// authentication.k8s.io/v1: the TokenRequest body of serviceaccounts/<name>/token. Mirrors
// staging/src/k8s.io/api/authentication/v1/types.go (TokenReview is not served); SelfSubjectReview.
import type { Definitions, GVK } from './dsl.ts';
import { arr, int64, kind, mapOf, obj, ref, str, time } from './dsl.ts';

const P = 'io.k8s.api.authentication.v1';
const gvk = (k: string): GVK[] => [{ group: 'authentication.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.TokenRequest`]: kind(gvk('TokenRequest'), {
    spec: ref(`${P}.TokenRequestSpec`, 'What the token is for.'),
    status: ref(`${P}.TokenRequestStatus`, 'The token, filled in by the server.'),
  }, { d: 'Asks for a token of a service account; metadata names the account.', required: ['spec'] }),
  [`${P}.TokenRequestSpec`]: obj({
    audiences: arr(str(), { d: 'Who the token is meant for; empty means the server\'s own audiences.', listType: 'atomic' }),
    expirationSeconds: int64('Requested lifetime; the server may shorten it.'),
    boundObjectRef: ref(`${P}.BoundObjectReference`, 'An object (pod, secret or node) whose deletion invalidates the token.'),
  }, { d: 'Parameters of a token request.', required: ['audiences'] }),
  [`${P}.BoundObjectReference`]: obj({
    kind: str('Kind of the object: Pod, Secret or Node.'),
    apiVersion: str('API version of the object.'),
    name: str('Name of the object.'),
    uid: str('UID of the object.'),
  }, { d: 'The object a token is bound to.' }),
  [`${P}.TokenRequestStatus`]: obj({
    token: str('The token itself.'),
    expirationTimestamp: time('When the token expires.'),
  }, { d: 'Result of a token request.', required: ['token', 'expirationTimestamp'] }),
  // SelfSubjectReview (kubectl auth whoami): the caller's own user info, as the server sees it.
  [`${P}.SelfSubjectReview`]: kind(gvk('SelfSubjectReview'), {
    status: ref(`${P}.SelfSubjectReviewStatus`, 'The caller\'s user info, filled in by the server.'),
  }, { d: 'Asks the server who the caller is.' }),
  [`${P}.SelfSubjectReviewStatus`]: obj({
    userInfo: ref(`${P}.UserInfo`, 'The caller\'s user info.'),
  }, { d: 'The answer of a SelfSubjectReview.' }),
  [`${P}.UserInfo`]: obj({
    username: str('The user name.'),
    uid: str('The user\'s unique id.'),
    groups: arr(str(), { d: 'The user\'s groups.', listType: 'atomic' }),
    extra: mapOf(arr(str()), 'Extra attributes the authenticator gave.'),
  }, { d: 'Who a user is.' }),
};

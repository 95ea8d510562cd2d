// Wire tables for k8s.io/api authentication/v1 (the TokenRequest body of serviceaccounts/token, SelfSubjectReview): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const authenticationV1: PackageTable = {
  proto: 'k8s.io.api.authentication.v1',
  alias: 'authentication',
  messages: {
    TokenRequest: ['1 metadata meta.ObjectMeta', '2 spec TokenRequestSpec', '3 status TokenRequestStatus'],
    TokenRequestSpec: ['1 audiences string[]', '4 expirationSeconds *int64', '3 boundObjectRef BoundObjectReference'],
    TokenRequestStatus: ['1 token string', '2 expirationTimestamp Time'],
    BoundObjectReference: ['1 kind string', '2 apiVersion string', '3 name string', '4 uid string'],
    SelfSubjectReview: ['1 metadata meta.ObjectMeta', '2 status SelfSubjectReviewStatus'],
    SelfSubjectReviewStatus: ['1 userInfo UserInfo'],
    UserInfo: ['1 username string', '2 uid string', '3 groups string[]', '4 extra {ExtraValue}'],
    ExtraValue: ['1 items string[]'],
  },
};

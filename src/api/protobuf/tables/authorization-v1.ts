// Wire tables for k8s.io/api authorization/v1 (the access reviews kubectl auth can-i sends): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const authorizationV1: PackageTable = {
  proto: 'k8s.io.api.authorization.v1',
  alias: 'authorization',
  messages: {
    SubjectAccessReview: ['1 metadata meta.ObjectMeta', '2 spec SubjectAccessReviewSpec', '3 status SubjectAccessReviewStatus'],
    LocalSubjectAccessReview: ['1 metadata meta.ObjectMeta', '2 spec SubjectAccessReviewSpec', '3 status SubjectAccessReviewStatus'],
    SelfSubjectAccessReview: ['1 metadata meta.ObjectMeta', '2 spec SelfSubjectAccessReviewSpec', '3 status SubjectAccessReviewStatus'],
    SelfSubjectRulesReview: ['1 metadata meta.ObjectMeta', '2 spec SelfSubjectRulesReviewSpec', '3 status SubjectRulesReviewStatus'],
    SubjectAccessReviewSpec: ['1 resourceAttributes ResourceAttributes', '2 nonResourceAttributes NonResourceAttributes', '3 user string', '4 groups string[]', '5 extra {ExtraValue}', '6 uid string'],
    SelfSubjectAccessReviewSpec: ['1 resourceAttributes ResourceAttributes', '2 nonResourceAttributes NonResourceAttributes'],
    SelfSubjectRulesReviewSpec: ['1 namespace string'],
    ExtraValue: ['1 items string[]'],
    ResourceAttributes: ['1 namespace string', '2 verb string', '3 group string', '4 version string', '5 resource string', '6 subresource string', '7 name string',
      '8 fieldSelector FieldSelectorAttributes', '9 labelSelector LabelSelectorAttributes'],
    FieldSelectorAttributes: ['1 rawSelector string', '2 requirements FieldSelectorRequirement[]'],
    FieldSelectorRequirement: ['1 key string', '2 operator string', '3 values string[]'],
    LabelSelectorAttributes: ['1 rawSelector string', '2 requirements meta.LabelSelectorRequirement[]'],
    NonResourceAttributes: ['1 path string', '2 verb string'],
    SubjectAccessReviewStatus: ['1 allowed *bool', '4 denied bool', '2 reason string', '3 evaluationError string'],
    SubjectRulesReviewStatus: ['1 resourceRules *ResourceRule[]', '2 nonResourceRules *NonResourceRule[]', '3 incomplete *bool', '4 evaluationError string'],
    ResourceRule: ['1 verbs *string[]', '2 apiGroups string[]', '3 resources string[]', '4 resourceNames string[]'],
    NonResourceRule: ['1 verbs *string[]', '2 nonResourceURLs string[]'],
  },
};

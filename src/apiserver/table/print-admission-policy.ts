// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding rows, mirroring their print
// functions in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../api/types/admission-policy-v1.ts';
import { AGE, NAME, col } from './columns.ts';
import { since } from './human-duration.ts';
import { selectorString } from './labels.ts';
import type { Printer } from './types.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: number): string => since(o.metadata.creationTimestamp, now);

export const validatingAdmissionPolicyPrinter: Printer = {
  columns: [
    NAME,
    col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    AGE,
  ],
  cells: (obj, now) => {
    const spec = (obj as ValidatingAdmissionPolicy).spec;
    const pk = spec?.paramKind;
    return [name(obj), spec?.validations?.length ?? 0, pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>', age(obj, now)];
  },
};

export const validatingAdmissionPolicyBindingPrinter: Printer = {
  columns: [
    NAME,
    col('PolicyName', 'string', 'PolicyName indicates the name of the policy that this binding applies to'),
    col('ParamRef', 'string', 'ParamRef indicates the param resource that this binding uses'),
    AGE,
  ],
  cells: (obj, now) => {
    const spec = (obj as ValidatingAdmissionPolicyBinding).spec;
    const pr = spec?.paramRef;
    let param = '<unset>';
    if (pr?.name) param = pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
    else if (pr?.selector) param = selectorString(pr.selector) ?? '';
    return [name(obj), spec?.policyName ?? '', param, age(obj, now)];
  },
};

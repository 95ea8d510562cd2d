// Webhook matchConditions in CEL (k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions/matcher.go):
// every condition is evaluated; a false one skips the webhook at once; errors, when none is
// false, are the webhook's to decide by its failurePolicy.
import { CelEvaluationError, compileExpression, evaluate, toCelValue } from '../../../cel/index.ts';
import { MATCH_CONDITION_VARIABLES } from '../../../api/validation/admissionregistration-webhooks.ts';
import type { MatchConditionEvaluator } from './plugin.ts';

export const celMatchConditions: MatchConditionEvaluator = (conditions, input) => {
  const activation = { object: toCelValue(input.object), oldObject: toCelValue(input.oldObject), request: toCelValue(input.request) };
  const errors: string[] = [];
  for (const c of conditions) {
    try {
      const program = compileExpression(c.expression, { variables: MATCH_CONDITION_VARIABLES, returnType: 'bool' });
      if (evaluate(program, activation) === false) return { matches: false };
    } catch (err) {
      const msg = (err as Error).message;
      errors.push(err instanceof CelEvaluationError && msg.startsWith('expression \'') ? msg : `expression '${c.expression}' resulted in error: ${msg}`);
    }
  }
  if (errors.length === 0) return { matches: true };
  return { matches: false, error: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]` };
};

// CEL for the API server: ValidatingAdmissionPolicy, webhook matchConditions and CRD
// x-kubernetes-validations share this environment.
export {
  CelCompileError,
  CelEvaluationError,
  CelProgram,
  compileExpression,
  evaluate,
  evaluateWithAuthorizer,
  isCelCostLimit,
  lazyObject,
  tryCompile,
  type CelReturnType,
  type CompileOptions,
  type EvaluateOptions,
} from './environment.ts';
export { CostBudget, PER_CALL_COST_LIMIT, RUNTIME_COST_BUDGET, DEFAULT_EVAL_TIMEOUT_MS, COST_EXCEEDED_MESSAGE } from './cost.ts';
export { celEquals, CelURL, Quantity } from './library.ts';
export { celTypeName, fromCelValue, toCelValue, type CelSchema } from './values.ts';
export { AuthzSession, CelAuthorizer, type AuthzAnswer, type AuthzFunction, type AuthzQuestion } from './authz.ts';

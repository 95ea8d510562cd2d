// Store errors (the storage layer's vocabulary, as k8s.io/apiserver/pkg/storage/errors.go).
// The API server translates them into Status errors in one place.

export type StoreErrorCode = 'KeyNotFound' | 'KeyExists' | 'ResourceVersionConflict' | 'Compacted' | 'InvalidContinue' | 'Closed' | 'Internal';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly key: string;
  constructor(code: StoreErrorCode, key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
    this.key = key;
  }
}

export const keyNotFound = (key: string): StoreError => new StoreError('KeyNotFound', key, `key not found: ${key}`);
export const keyExists = (key: string): StoreError => new StoreError('KeyExists', key, `key exists: ${key}`);
export const rvConflict = (key: string, expected: number, actual: number): StoreError =>
  new StoreError('ResourceVersionConflict', key, `revision conflict on ${key}: expected ${expected}, found ${actual}`);
export const compacted = (rev: number, compactedRev: number): StoreError =>
  new StoreError('Compacted', '', `revision ${rev} has been compacted (oldest available is ${compactedRev + 1})`);

const is = (code: StoreErrorCode) => (err: unknown): boolean => err instanceof StoreError && err.code === code;
export const isKeyNotFound = is('KeyNotFound');
export const isKeyExists = is('KeyExists');
export const isRVConflict = is('ResourceVersionConflict');
export const isCompacted = is('Compacted');
export const isInvalidContinue = is('InvalidContinue');

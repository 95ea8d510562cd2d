// ConfigMap, Secret and ServiceAccount rows (printConfigMap, printSecret, printServiceAccount in
// pkg/printers/internalversion/printers.go).
import { AGE, NAME, col } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

const keys = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);

export const configMapPrinter: Printer = {
  columns: [NAME, col('Data', 'string', 'Number of keys, text and binary.'), AGE],
  cells: (obj, now) => [obj.metadata.name ?? '', keys(obj.data) + keys(obj.binaryData), since(obj.metadata.creationTimestamp, now)],
};

export const secretPrinter: Printer = {
  columns: [NAME, col('Type', 'string', 'What the secret holds, such as Opaque or kubernetes.io/tls.'), col('Data', 'string', 'Number of keys.'), AGE],
  cells: (obj, now) => [
    obj.metadata.name ?? '', typeof obj.type === 'string' ? obj.type : '', keys(obj.data), since(obj.metadata.creationTimestamp, now),
  ],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME, col('Secrets', 'string', 'Number of secrets listed on the service account.'), AGE],
  cells: (obj, now) => [
    obj.metadata.name ?? '', Array.isArray(obj.secrets) ? obj.secrets.length : 0, since(obj.metadata.creationTimestamp, now),
  ],
};

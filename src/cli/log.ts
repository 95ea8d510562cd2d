// Structured logs (pino) to stderr; one child logger per component.
import { pino, destination, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } }, destination({ fd: 2, sync: false }));
}

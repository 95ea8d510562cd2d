// Probe ports, as pkg/probe/util.go ResolveContainerPort (and extractPort in older prober.go):
// a number, a named port of the container, or a number written as a string.
import type { Container } from '../../api/types/core-v1.ts';

export class ProbePortError extends Error {
  readonly code = 'PROBE_PORT';
  constructor(message: string) {
    super(message);
    this.name = 'ProbePortError';
  }
}

export function resolvePort(port: number | string, container: Container): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new ProbePortError(`strconv.Atoi: parsing "${port}": invalid syntax`);
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new ProbePortError(`invalid port number: ${n}`);
}

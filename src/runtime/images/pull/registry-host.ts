// Where a reference's registry lives and how it may be reached. Docker Hub's API host differs
// from its name (docker.io → registry-1.docker.io). Plain HTTP is allowed for loopback hosts
// only, mirroring docker's default of treating 127.0.0.0/8 as an insecure registry
// (docker/registry/config.go); everything else is HTTPS.
import { isIP } from 'node:net';
import { InsecureRegistry } from './errors.ts';

export interface RegistryEndpoint {
  /** The registry's name as references spell it (`docker.io`, `127.0.0.1:5000`): the key for credentials. */
  name: string;
  /** Base URL of the v2 API, e.g. `https://registry-1.docker.io/v2/`. */
  base: URL;
  /** True when the endpoint is plain HTTP (a loopback registry). */
  plainHttp: boolean;
}

export interface EndpointOptions {
  /** Use plain HTTP for loopback registries (default true); never for any other host. */
  insecureLoopback?: boolean;
}

export function registryEndpoint(domain: string, options: EndpointOptions = {}): RegistryEndpoint {
  const apiHost = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  const plainHttp = (options.insecureLoopback ?? true) && isLoopbackHost(hostOf(apiHost));
  return { name: domain, base: new URL(`${plainHttp ? 'http' : 'https'}://${apiHost}/v2/`), plainHttp };
}

/** `127.0.0.0/8`, `::1`, `localhost` (and `*.localhost`), with or without brackets. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Throws InsecureRegistry unless `url` is HTTPS, or plain HTTP to a loopback host while
 * `allowPlainLoopback` (true only when the registry itself is a loopback one: a remote registry
 * must not redirect us to local plain-HTTP services).
 */
export function checkTransport(url: URL, allowPlainLoopback: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowPlainLoopback && isLoopbackHost(url.hostname)) return;
  throw new InsecureRegistry(url.href);
}

function hostOf(hostPort: string): string {
  const bracket = /^\[([^\]]+)\]/.exec(hostPort);
  if (bracket) return bracket[1]!;
  return hostPort.replace(/:\d+$/, '');
}

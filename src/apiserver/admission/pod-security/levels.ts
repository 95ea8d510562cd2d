// Pod Security Standards levels and versions, and the policy a namespace's labels choose
// (mirrors k8s.io/pod-security-admission/api/constants.go and api/helpers.go).
import type { FieldError } from '../../../api/errors.ts';

export type Level = 'privileged' | 'baseline' | 'restricted';

const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** `latest`, or a `v1.x` minor version. */
export type Version = { latest: true } | { latest: false; major: number; minor: number };

export const LATEST: Version = { latest: true };

export interface LevelVersion { level: Level; version: Version }

export interface Policy { enforce: LevelVersion; audit: LevelVersion; warn: LevelVersion }

const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCE_LEVEL_LABEL = `${LABEL_PREFIX}enforce`;
export const ENFORCE_VERSION_LABEL = `${LABEL_PREFIX}enforce-version`;
export const AUDIT_LEVEL_LABEL = `${LABEL_PREFIX}audit`;
export const AUDIT_VERSION_LABEL = `${LABEL_PREFIX}audit-version`;
export const WARN_LEVEL_LABEL = `${LABEL_PREFIX}warn`;
export const WARN_VERSION_LABEL = `${LABEL_PREFIX}warn-version`;

export function versionString(v: Version): string {
  return v.latest ? 'latest' : `v${v.major}.${v.minor}`;
}

export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${versionString(lv.version)}`;
}

export function sameVersion(a: Version, b: Version): boolean {
  if (a.latest || b.latest) return a.latest === b.latest;
  return a.major === b.major && a.minor === b.minor;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && sameVersion(a.version, b.version);
}

/** Both privileged, or the same level and version (LevelVersion.Equivalent). */
export function equivalent(a: LevelVersion, b: LevelVersion): boolean {
  return (a.level === 'privileged' && b.level === 'privileged') || sameLevelVersion(a, b);
}

export function isLevel(s: string): s is Level {
  return (LEVELS as readonly string[]).includes(s);
}

/** An unknown level reads as restricted (fail closed), with the error upstream reports. */
export function parseLevel(s: string): { level: Level; error?: string } {
  return isLevel(s) ? { level: s } : { level: 'restricted', error: `must be one of ${LEVELS.join(', ')}` };
}

const VERSION = /^v1\.([0-9]|[1-9][0-9]*)$/;

/** `latest` or `v1.x`; anything else reads as latest, with an error. */
export function parseVersion(s: string): { version: Version; error?: string } {
  if (s === 'latest') return { version: LATEST };
  const m = VERSION.exec(s);
  const minor = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(minor)) return { version: LATEST, error: 'must be "latest" or "v1.x"' };
  return { version: { latest: false, major: 1, minor } };
}

/** -1 when a is less strict than b, 1 when stricter, 0 when equal (api.CompareLevels). */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

export const PRIVILEGED_POLICY: Policy = {
  enforce: { level: 'privileged', version: LATEST },
  audit: { level: 'privileged', version: LATEST },
  warn: { level: 'privileged', version: LATEST },
};

export function fullyPrivileged(p: Policy): boolean {
  return p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';
}

/**
 * The policy a namespace's labels select, the defaults filling what they leave out
 * (api.PolicyToEvaluate). A bad enforce level fails closed (restricted); bad audit and warn
 * levels fail open (privileged). An explicit enforce level stricter than warn raises warn to it.
 */
export function policyToEvaluate(labels: Readonly<Record<string, string>> | undefined, defaults: Policy): { policy: Policy; errors: FieldError[] } {
  const p: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: FieldError[] = [];
  if (!labels) return { policy: p, errors };
  const note = (label: string, value: string, error: string | undefined): void => {
    if (error) errors.push({ type: 'FieldValueInvalid', field: `metadata.labels[${label}]`, detail: error, badValue: value });
  };
  let hasEnforceLevel = false;
  const enforce = labels[ENFORCE_LEVEL_LABEL];
  if (enforce !== undefined) {
    const r = parseLevel(enforce);
    p.enforce.level = r.level;
    hasEnforceLevel = !r.error;
    note(ENFORCE_LEVEL_LABEL, enforce, r.error);
  }
  const enforceVersion = labels[ENFORCE_VERSION_LABEL];
  if (enforceVersion !== undefined) {
    const r = parseVersion(enforceVersion);
    p.enforce.version = r.version;
    note(ENFORCE_VERSION_LABEL, enforceVersion, r.error);
  }
  const audit = labels[AUDIT_LEVEL_LABEL];
  if (audit !== undefined) {
    const r = parseLevel(audit);
    p.audit.level = r.error ? 'privileged' : r.level;
    note(AUDIT_LEVEL_LABEL, audit, r.error);
  }
  const auditVersion = labels[AUDIT_VERSION_LABEL];
  if (auditVersion !== undefined) {
    const r = parseVersion(auditVersion);
    p.audit.version = r.version;
    note(AUDIT_VERSION_LABEL, auditVersion, r.error);
  }
  const warn = labels[WARN_LEVEL_LABEL];
  if (warn !== undefined) {
    const r = parseLevel(warn);
    p.warn.level = r.error ? 'privileged' : r.level;
    note(WARN_LEVEL_LABEL, warn, r.error);
  }
  const warnVersion = labels[WARN_VERSION_LABEL];
  if (warnVersion !== undefined) {
    const r = parseVersion(warnVersion);
    p.warn.version = r.version;
    note(WARN_VERSION_LABEL, warnVersion, r.error);
  }
  if (warn === undefined && hasEnforceLevel && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn.level = p.enforce.level;
    if (warnVersion === undefined) p.warn.version = p.enforce.version;
  }
  return { policy: p, errors };
}

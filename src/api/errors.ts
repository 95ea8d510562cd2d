// API errors: every failure the API server answers is a Kubernetes `Status`
// (mirrors k8s.io/apimachinery/pkg/api/errors/errors.go). The client parses the same shape back.
import type { Status, StatusCause } from './meta.ts';

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict'
  | 'Gone' | 'Expired' | 'Invalid' | 'RequestEntityTooLarge' | 'UnsupportedMediaType'
  | 'NotAcceptable' | 'MethodNotAllowed' | 'TooManyRequests' | 'InternalError' | 'Timeout'
  | 'ServiceUnavailable' | 'Unknown';

export interface GroupResource { group: string; resource: string }

export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? status.reason ?? 'unknown error', options);
    this.name = 'StatusError';
    this.status = status;
  }
  get code(): number { return this.status.code; }
  get reason(): string { return this.status.reason ?? 'Unknown'; }
}

export function newStatus(code: number, reason: StatusReason, message: string, details?: Status['details']): Status {
  return inGoOrder({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) });
}

/** A Status, or a Success one without a code (upstream's delete answer). */
type StatusLike = Omit<Status, 'code'> & { code?: number };

/**
 * The Status with its fields in the order kube-apiserver writes them (Go's struct order in
 * apimachinery/pkg/apis/meta/v1/types.go Status, StatusDetails, StatusCause) and its empty fields
 * omitted (their omitempty tags: no `group: ""`, no `code: 0`), so clients that compare error bodies
 * byte for byte see kube-apiserver's bytes. metadata is a struct, so it stays even when empty.
 */
export function inGoOrder<T extends StatusLike>(s: T): T {
  const out: Record<string, unknown> = { kind: s.kind, apiVersion: s.apiVersion, metadata: s.metadata };
  put(out, 'status', s.status);
  put(out, 'message', s.message);
  put(out, 'reason', s.reason);
  const d = s.details;
  if (d) {
    const details: Record<string, unknown> = {};
    put(details, 'name', d.name);
    put(details, 'group', d.group);
    put(details, 'kind', d.kind);
    put(details, 'uid', d.uid);
    if (d.causes?.length) {
      details.causes = d.causes.map((c) => {
        const cause: Record<string, unknown> = {};
        put(cause, 'reason', c.reason);
        put(cause, 'message', c.message);
        put(cause, 'field', c.field);
        return cause;
      });
    }
    put(details, 'retryAfterSeconds', d.retryAfterSeconds);
    // A pointer in Go: present, even when every field in it is empty.
    out.details = details;
  }
  put(out, 'code', s.code);
  return out as T;
}

function put(to: Record<string, unknown>, key: string, v: string | number | undefined): void {
  if (v !== undefined && v !== '' && v !== 0) to[key] = v;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function kindOf(gr: GroupResource): string { return gr.resource; }

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(newStatus(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: kindOf(gr) }));
}

/**
 * A path the server does not serve: a group, version or resource it does not have. kube-apiserver's
 * last handler answers these "404 page not found" (apiserver/pkg/util/notfoundhandler), which
 * client-go turns into this Status (apimachinery errors.go NewGenericServerResponse); the API server
 * sends the Status itself so every client sees the same answer.
 */
export function notServed(): StatusError {
  return new StatusError(newStatus(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  }));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(newStatus(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group, kind: kindOf(gr) }));
}

export function conflict(gr: GroupResource, name: string, detail: string, causes?: StatusCause[]): StatusError {
  const details: Status['details'] = { name, group: gr.group, kind: kindOf(gr) };
  if (causes) details.causes = causes;
  return new StatusError(newStatus(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${detail}`, details));
}

export const MODIFIED_CONFLICT = 'the object has been modified; please apply your changes to the latest version and try again';

/** A field error, as k8s.io/apimachinery/pkg/util/validation/field.Error. */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTypeInvalid' | 'FieldValueTooMany';
  field: string;
  /** Human text, e.g. `Invalid value: "Foo": a lowercase RFC 1123 subdomain must ...`. */
  detail: string;
  badValue?: unknown;
}

/** How much of a client's value a message repeats: a 1 MB name is not echoed back in full. */
export const MAX_ECHO_CHARS = 256;

export function truncateEcho(s: string, max = MAX_ECHO_CHARS): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function renderBadValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(truncateEcho(v));
  return truncateEcho(JSON.stringify(v) ?? String(v));
}

/** Errors listed in one Invalid status; a body of 50,000 bad items does not get 50,000 lines back. */
export const MAX_REPORTED_FIELD_ERRORS = 100;

function describeFieldError(e: FieldError): string {
  const bad = e.badValue === undefined ? '' : `: ${renderBadValue(e.badValue)}`;
  switch (e.type) {
    case 'FieldValueRequired': return `${e.field}: Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueDuplicate': return `${e.field}: Duplicate value${bad}`;
    case 'FieldValueNotSupported': return `${e.field}: Unsupported value${bad}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueForbidden': return `${e.field}: Forbidden: ${e.detail}`;
    case 'FieldValueTooLong': return `${e.field}: Too long: ${e.detail}`;
    case 'FieldValueTooMany': return `${e.field}: Too many: ${e.detail}`;
    case 'FieldValueTypeInvalid': return `${e.field}: Invalid value${bad}: ${e.detail}`;
    default: return `${e.field}: Invalid value${bad}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/** 422 Invalid with one cause per field error (kind is the object's Kind, e.g. "Pod"). */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  // Details are the server's words, but some quote the client's value: 1 KiB holds every real one.
  const shown = errors.slice(0, MAX_REPORTED_FIELD_ERRORS).map((e) => ({ ...e, field: truncateEcho(e.field), detail: truncateEcho(e.detail, 1024) }));
  const causes: StatusCause[] = shown.map((e) => ({ reason: e.type, message: describeFieldError(e).slice(e.field.length + 2), field: e.field }));
  const list = shown.map(describeFieldError);
  if (errors.length > shown.length) list.push(`and ${errors.length - shown.length} more errors`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const shortName = truncateEcho(name);
  return new StatusError(newStatus(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${shortName}" is invalid: ${summary}`, { name: shortName, group, kind, causes }));
}

export function badRequest(message: string): StatusError {
  return new StatusError(newStatus(400, 'BadRequest', message));
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(newStatus(401, 'Unauthorized', message));
}

export function forbidden(message: string): StatusError {
  return new StatusError(newStatus(403, 'Forbidden', message));
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(newStatus(405, 'MethodNotAllowed', message));
}

export function notAcceptable(message: string): StatusError {
  return new StatusError(newStatus(406, 'NotAcceptable', message));
}

export function expired(message: string): StatusError {
  return new StatusError(newStatus(410, 'Expired', message));
}

export function gone(message: string): StatusError {
  return new StatusError(newStatus(410, 'Gone', message));
}

export function tooLarge(message: string): StatusError {
  return new StatusError(newStatus(413, 'RequestEntityTooLarge', message));
}

export function unsupportedMediaType(message: string): StatusError {
  return new StatusError(newStatus(415, 'UnsupportedMediaType', message));
}

export function internalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StatusError(newStatus(500, 'InternalError', `Internal error occurred: ${msg}`), { cause: err });
}

export function isStatusError(err: unknown): err is StatusError { return err instanceof StatusError; }
export function isNotFound(err: unknown): boolean { return isStatusError(err) && err.reason === 'NotFound'; }
export function isAlreadyExists(err: unknown): boolean { return isStatusError(err) && err.reason === 'AlreadyExists'; }
export function isConflict(err: unknown): boolean { return isStatusError(err) && err.reason === 'Conflict'; }
export function isInvalid(err: unknown): boolean { return isStatusError(err) && err.reason === 'Invalid'; }
export function isExpired(err: unknown): boolean { return isStatusError(err) && (err.reason === 'Expired' || err.reason === 'Gone'); }

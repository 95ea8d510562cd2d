// `Warning: 299 - "text"` response headers (RFC 7234 §5.5), as k8s.io/apimachinery/pkg/util/net
// NewWarningHeader and the warning recorder in k8s.io/apiserver/pkg/endpoints/filters/warning.go
// write them. The text quotes client input (unknown field names), and node:http refuses header
// values outside Latin-1 or with control characters: the text is quoted in ASCII (\uXXXX, like Go's
// strconv.QuoteToASCII), and warnings are capped in length and in total, as upstream truncates them.

/** Upstream's limits: 4 KiB of warnings per response; past it, each is cut to 256 characters. */
export const MAX_WARNING_TOTAL = 4 * 1024;
export const MAX_WARNING_ITEM = 256;

/** `"text"` with quotes and backslashes escaped and everything outside printable ASCII as \u escapes. */
export function quoteAscii(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${text[i]!}`;
    else if (c >= 0x20 && c < 0x7f) out += text[i]!;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0d) out += '\\r';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

const truncate = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max)}...` : s);

/**
 * The header values for `messages`: each `299 - "…"`, all of them while they fit in
 * MAX_WARNING_TOTAL, else each cut to MAX_WARNING_ITEM and as many as then fit.
 */
export function warningHeaderValues(messages: readonly string[]): string[] {
  let total = 0;
  for (const m of messages) {
    total += m.length;
    if (total > MAX_WARNING_TOTAL) break;
  }
  const shortened = total > MAX_WARNING_TOTAL ? messages.map((m) => truncate(m, MAX_WARNING_ITEM)) : messages;
  const out: string[] = [];
  let used = 0;
  for (const m of shortened) {
    used += m.length;
    if (used > MAX_WARNING_TOTAL) break;
    out.push(`299 - ${quoteAscii(m)}`);
  }
  return out;
}

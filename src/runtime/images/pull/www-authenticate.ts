// Parses `WWW-Authenticate` (RFC 7235): one or more challenges, each a scheme followed by
// comma-separated `name=value` or `name="quoted value"` parameters, e.g.
// `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`.

export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Parameters by lower-case name. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseWwwAuthenticate(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const challenges: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < text.length && chars.test(text[i]!)) i++;
  };
  while (i < text.length) {
    skip(/[\s,]/);
    const scheme = TOKEN.exec(text.slice(i));
    if (!scheme) break;
    i += scheme[0].length;
    const challenge: Challenge = { scheme: scheme[0].toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      skip(/[\s,]/);
      const name = TOKEN.exec(text.slice(i));
      if (!name) break;
      const after = i + name[0].length;
      let j = after;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] !== '=') break; // the next challenge's scheme (or a token68, which no registry sends)
      i = j + 1;
      skip(/\s/);
      challenge.params[name[0].toLowerCase()] = readValue();
    }
  }
  return challenges;

  function readValue(): string {
    if (text[i] !== '"') {
      const m = /^[^,\s]*/.exec(text.slice(i))!;
      i += m[0].length;
      return m[0];
    }
    let value = '';
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i];
    }
    i++;
    return value;
  }
}

// Static bearer tokens from a CSV file: `token,user,uid,"group1,group2"` per line, the format of
// kube-apiserver's --token-auth-file (k8s.io/apiserver/pkg/authentication/token/tokenfile).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface TokenUser {
  name: string;
  uid: string;
  groups: string[];
}

/** Users keyed by the SHA-256 of their token, so lookups never compare secrets byte by byte. */
export interface TokenTable {
  readonly entries: ReadonlyArray<{ readonly digest: Buffer; readonly user: TokenUser }>;
}

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export async function loadTokenFile(path: string): Promise<TokenTable> {
  const text = await readFile(path, 'utf8');
  return parseTokenFile(text, path);
}

export function parseTokenFile(text: string, source = 'token file'): TokenTable {
  const entries: Array<{ digest: Buffer; user: TokenUser }> = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const where = `Cannot parse token file "${source}": line ${i + 1}`;
    const fields = splitCsvLine(line, where);
    if (fields.length < 3) throw new Error(`${where}: expected at least 3 columns (token, user name, user uid), found ${fields.length}`);
    const [token, name, uid, groups] = fields as [string, string, string, string | undefined];
    if (token === '') throw new Error(`${where}: the token is empty`);
    if (name === '') throw new Error(`${where}: the user name is empty`);
    if (seen.has(token)) throw new Error(`${where}: duplicate token`);
    seen.add(token);
    const groupList = (groups ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
    entries.push({ digest: tokenDigest(token), user: { name, uid, groups: groupList } });
  }
  return { entries };
}

/** One CSV record (RFC 4180 quoting, leading spaces of a field ignored as Go's TrimLeadingSpace). */
function splitCsvLine(line: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (true) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      while (true) {
        if (i >= line.length) throw new Error(`${where}: unterminated quoted field`);
        const c = line[i]!;
        if (c === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += c;
        i++;
      }
      if (i < line.length && line[i] !== ',') throw new Error(`${where}: unexpected text after a quoted field`);
    } else {
      const end = line.indexOf(',', i);
      field = (end < 0 ? line.slice(i) : line.slice(i, end)).trimEnd();
      if (field.includes('"')) throw new Error(`${where}: bare " in an unquoted field`);
      i = end < 0 ? line.length : end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

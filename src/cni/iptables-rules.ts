// Parsing of `iptables -S` output, and the chain names the reference plugins derive from a
// network name and container id (plugins/pkg/utils/utils.go: "CNI-" + prefix + sha512 hex,
// cut to 28 characters).
import { createHash } from 'node:crypto';

const MAX_CHAIN_LENGTH = 28;

export function cniChainName(networkName: string, containerId: string, prefix = ''): string {
  const hex = createHash('sha512').update(networkName + containerId).digest('hex');
  return `CNI-${prefix}${hex}`.slice(0, MAX_CHAIN_LENGTH);
}

export interface Rule {
  chain: string;
  /** The rule's arguments after `-A <chain>`, unquoted, ready for `iptables -D <chain> ...`. */
  spec: string[];
  /** The `-j` target, if any. */
  target: string | undefined;
}

export interface ParsedRules {
  chains: Set<string>;
  rules: Rule[];
}

/** Parses `iptables -t <table> -S` output (the same syntax iptables-save prints). */
export function parseRules(text: string): ParsedRules {
  const chains = new Set<string>();
  const rules: Rule[] = [];
  for (const line of text.split('\n')) {
    const words = splitWords(line);
    if ((words[0] === '-N' || words[0] === '-P') && words[1] !== undefined) chains.add(words[1]);
    if (words[0] === '-A' && words[1] !== undefined) {
      const spec = words.slice(2);
      const j = spec.indexOf('-j');
      rules.push({ chain: words[1], spec, target: j >= 0 ? spec[j + 1] : undefined });
    }
  }
  return { chains, rules };
}

/** Splits a line the way iptables-save quotes it: double quotes, with \" and \\ escaped inside. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quoted) {
      if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i] ?? '';
      else if (c === '"') quoted = false;
      else word += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

// The label selector text grammar: lexer and recursive-descent parser mirroring
// k8s.io/apimachinery/pkg/labels/selector.go (Lexer, Parser), including its error wording.
import { labelKeyError, newRequirement, type LabelOperator, type LabelRequirement } from './label-requirement.ts';
import { SelectorParseError } from './selector-error.ts';

type Tok = 'id' | 'in' | 'notin' | '!' | '!=' | '=' | '==' | '>' | '<' | '(' | ')' | ',' | 'end';
interface Token { t: Tok; lit: string }

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS = new Set<string>(['!', '!=', '=', '==', '>', '<', '(', ')', ',']);
const OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (true) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) { out.push({ t: 'end', lit: '' }); return out; }
    if (SPECIAL.has(s[i]!)) {
      // Longest special symbol: "!=" and "==" before "!" and "=".
      const two = s.slice(i, i + 2);
      const lit = SYMBOLS.has(two) ? two : s[i]!;
      out.push({ t: lit as Tok, lit });
      i += lit.length;
      continue;
    }
    const start = i;
    while (i < s.length && !/\s/.test(s[i]!) && !SPECIAL.has(s[i]!)) i++;
    const lit = s.slice(start, i);
    out.push({ t: 'id', lit });
  }
}

class Parser {
  #toks: Token[];
  #pos = 0;
  constructor(text: string) { this.#toks = lex(text); }

  // In value position "in" and "notin" are plain identifiers; only operators are keywords.
  #peek(asOperator = false): Token {
    const tok = this.#toks[this.#pos] ?? { t: 'end', lit: '' };
    if (asOperator && tok.t === 'id' && (tok.lit === 'in' || tok.lit === 'notin')) return { t: tok.lit, lit: tok.lit };
    return tok;
  }

  #next(asOperator = false): Token {
    const tok = this.#peek(asOperator);
    if (this.#pos < this.#toks.length) this.#pos++;
    return tok;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    while (true) {
      const tok = this.#peek();
      if (tok.t === 'end') return reqs;
      if (tok.t !== 'id' && tok.t !== '!') throw new SelectorParseError(`found '${tok.lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.#requirement());
      } catch (err) {
        if (err instanceof SelectorParseError) throw new SelectorParseError(`unable to parse requirement: ${err.message}`, { cause: err });
        throw err;
      }
      const after = this.#next();
      if (after.t === 'end') return reqs;
      if (after.t !== ',') throw new SelectorParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const ahead = this.#peek();
      if (ahead.t !== 'id' && ahead.t !== '!') throw new SelectorParseError(`found '${ahead.lit}', expected: identifier after ','`);
    }
  }

  #requirement(): LabelRequirement {
    let tok = this.#next();
    let inferred: LabelOperator | undefined;
    if (tok.t === '!') {
      inferred = '!';
      tok = this.#next();
    }
    if (tok.t !== 'id') throw new SelectorParseError(`found '${tok.lit}', expected: identifier`);
    const key = tok.lit;
    const keyErr = labelKeyError(key);
    if (keyErr) throw new SelectorParseError(keyErr);
    const ahead = this.#peek().t;
    if (inferred === undefined && (ahead === 'end' || ahead === ',')) inferred = 'exists';
    if (inferred) return newRequirement(key, inferred, []);
    const op = this.#operator();
    const values = op === 'in' || op === 'notin' ? this.#values() : this.#exactValue();
    return newRequirement(key, op, values);
  }

  #operator(): LabelOperator {
    const tok = this.#next(true);
    switch (tok.t) {
      case 'in': case 'notin': case '=': case '==': case '!=': return tok.t;
      case '>': return 'gt';
      case '<': return 'lt';
      default: throw new SelectorParseError(`found '${tok.lit}', expected: ${OPERATORS}`);
    }
  }

  #values(): string[] {
    const open = this.#next();
    if (open.t !== '(') throw new SelectorParseError(`found '${open.lit}' expected: '('`);
    const ahead = this.#peek();
    if (ahead.t === ')') { this.#next(); return ['']; }
    if (ahead.t !== 'id' && ahead.t !== ',') throw new SelectorParseError(`found '${ahead.lit}', expected: ',', ')' or identifier`);
    const values = this.#identifiers();
    const close = this.#next();
    if (close.t !== ')') throw new SelectorParseError(`found '${close.lit}', expected: ')'`);
    return values;
  }

  // "(a,,b)", "(,a)" and "(a,)" hold the empty value too, as upstream's parseIdentifiersList.
  #identifiers(): string[] {
    const set = new Set<string>();
    while (true) {
      const tok = this.#next();
      if (tok.t === 'id') {
        set.add(tok.lit);
        const ahead = this.#peek();
        if (ahead.t === ',') continue;
        if (ahead.t === ')') return [...set];
        throw new SelectorParseError(`found '${ahead.lit}', expected: ',' or ')'`);
      }
      if (tok.t === ',') {
        if (set.size === 0) set.add('');
        const ahead = this.#peek();
        if (ahead.t === ')') { set.add(''); return [...set]; }
        if (ahead.t === ',') { this.#next(); set.add(''); }
        continue;
      }
      throw new SelectorParseError(`found '${tok.lit}', expected: ',', or identifier`);
    }
  }

  #exactValue(): string[] {
    const ahead = this.#peek();
    if (ahead.t === 'end' || ahead.t === ',') return [''];
    const tok = this.#next();
    if (tok.t === 'id') return [tok.lit];
    throw new SelectorParseError(`found '${tok.lit}', expected: identifier`);
  }
}

/** Parse selector text into requirements sorted by key (as upstream); throws SelectorParseError. */
export function parseRequirements(text: string): LabelRequirement[] {
  const reqs = new Parser(text).parse();
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

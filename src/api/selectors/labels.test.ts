import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEmptySelector, labelSelectorFromMeta, labelSelectorString, matchesLabels, parseLabelSelector, SelectorParseError } from './labels.ts';

const m = (sel: string, labels: Record<string, string> | undefined): boolean => matchesLabels(parseLabelSelector(sel), labels);

describe('parseLabelSelector', () => {
  it('parses the documentation examples', () => {
    assert.equal(labelSelectorString(parseLabelSelector('environment = production,tier != frontend')), 'environment=production,tier!=frontend');
    assert.equal(labelSelectorString(parseLabelSelector('environment in (production, qa)')), 'environment in (production,qa)');
    assert.equal(labelSelectorString(parseLabelSelector('tier notin (frontend,backend)')), 'tier notin (backend,frontend)');
    assert.equal(labelSelectorString(parseLabelSelector('partition')), 'partition');
    assert.equal(labelSelectorString(parseLabelSelector('!partition')), '!partition');
    assert.equal(labelSelectorString(parseLabelSelector('app==web')), 'app==web');
  });

  it('matches as upstream', () => {
    const prod = { environment: 'production', tier: 'backend' };
    assert.ok(m('environment=production', prod));
    assert.ok(m('environment==production', prod));
    assert.ok(!m('environment!=production', prod));
    assert.ok(m('tier!=frontend', prod));
    assert.ok(m('missing!=x', prod), 'absent label satisfies !=');
    assert.ok(m('environment in (production, qa)', prod));
    assert.ok(!m('tier notin (frontend,backend)', prod));
    assert.ok(m('release notin (canary)', prod));
    assert.ok(m('environment,!partition', prod));
    assert.ok(!m('partition', prod));
    assert.ok(!m('environment=production,tier=frontend', prod));
    assert.ok(!m('a=b', undefined));
    assert.ok(m('', undefined));
    assert.ok(m('a=', { a: '' }));
    assert.ok(m('n>3', { n: '4' }) && !m('n<3', { n: '4' }));
  });

  it('treats in/notin as identifiers in key and value position', () => {
    assert.ok(m('in in (notin)', { in: 'notin' }));
  });

  it('accepts empty values in sets', () => {
    assert.ok(m('a in (x,)', { a: '' }));
    assert.ok(m('a in ()', { a: '' }));
  });

  it('rejects malformed selectors with upstream messages', () => {
    const bad: Array<[string, RegExp]> = [
      ['x=a,', /found '', expected: identifier after ','/],
      ['x in a', /unable to parse requirement: found 'a' expected: '\('/],
      ['x in (a', /found '', expected: ',' or '\)'/],
      ['x=a b', /found 'b', expected: ',' or 'end of string'/],
      ['x foo y', /unable to parse requirement: found 'foo', expected: in, notin, =, ==, !=, gt, lt/],
      ['=a', /found '=', expected: !, identifier, or 'end of string'/],
      ['Bad Key!=x', /expected/],
      ['a/b/c=x', /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist/],
      ['a=b$', /values\[0\]\[a\]: Invalid value: "b\$": a valid label must be an empty string/],
      ['!a=b', /found '=', expected: ',' or 'end of string'/],
      ['x>a', /must be an integer/],
    ];
    for (const [sel, re] of bad) assert.throws(() => parseLabelSelector(sel), (err: unknown) => err instanceof SelectorParseError && re.test(err.message), sel);
  });

  it('checks key and value lengths', () => {
    assert.throws(() => parseLabelSelector(`${'a'.repeat(64)}=x`), /name part must be no more than 63 characters/);
    assert.throws(() => parseLabelSelector(`a=${'b'.repeat(64)}`), /must be no more than 63 characters/);
    assert.doesNotThrow(() => parseLabelSelector(`example.com/${'a'.repeat(63)}=${'b'.repeat(63)}`));
  });
});

describe('labelSelectorFromMeta', () => {
  it('combines matchLabels and matchExpressions', () => {
    const expr = labelSelectorFromMeta({
      matchLabels: { component: 'redis' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['cache'] },
        { key: 'environment', operator: 'NotIn', values: ['dev'] },
        { key: 'app', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.ok(matchesLabels(expr, { component: 'redis', tier: 'cache', app: 'x' }));
    assert.ok(!matchesLabels(expr, { component: 'redis', tier: 'cache', app: 'x', environment: 'dev' }));
    assert.ok(!matchesLabels(expr, { component: 'redis', tier: 'cache', app: 'x', legacy: '1' }));
    assert.ok(!matchesLabels(expr, { component: 'redis', tier: 'cache' }));
  });

  it('treats null as nothing and {} as everything', () => {
    assert.ok(!matchesLabels(labelSelectorFromMeta(null), {}));
    assert.ok(isEmptySelector(labelSelectorFromMeta({})));
    assert.ok(matchesLabels(labelSelectorFromMeta({}), { a: 'b' }));
    assert.ok(!isEmptySelector(labelSelectorFromMeta(undefined)));
    assert.ok(!isEmptySelector(parseLabelSelector('a')));
  });

  it('rejects bad operators and empty In values', () => {
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }), /"Equals" is not a valid label selector operator/);
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), { message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty" });
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), /values set must be empty/);
    assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'Bad Key', operator: 'In', values: ['bad value'] }] }), { message: /^\[key: Invalid value: "Bad Key": .*, values\[0\]\[Bad Key\]: Invalid value: "bad value": .*\]$/ });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERR_FORMAT_WRONG, ERR_SUFFIX, parseQuantity, QuantityParseError, tryParseQuantity } from './quantity.ts';

describe('parseQuantity', () => {
  it('reads the documentation examples', () => {
    // "128974848, 129e6, 129M, 128974848000m, 123Mi" are all about the same memory value.
    assert.equal(parseQuantity('128974848'), 128974848);
    assert.equal(parseQuantity('129e6'), 129000000);
    assert.equal(parseQuantity('129M'), 129000000);
    assert.equal(parseQuantity('128974848000m'), 128974848);
    assert.equal(parseQuantity('123Mi'), 128974848);
    assert.equal(parseQuantity('0.5'), 0.5);
    assert.equal(parseQuantity('100m'), 0.1);
    assert.equal(parseQuantity('400m'), 0.4);
    assert.equal(parseQuantity('1Gi'), 1073741824);
    assert.equal(parseQuantity('1.5Ki'), 1536);
    assert.equal(parseQuantity('1k'), 1000);
    assert.equal(parseQuantity('1E'), 1e18);
    assert.equal(parseQuantity('1Ei'), 2 ** 60);
    assert.equal(parseQuantity('5n'), 5e-9);
    assert.equal(parseQuantity('12u'), 0.000012);
  });

  it('reads signs, bare fractions and exponents', () => {
    assert.equal(parseQuantity('-1'), -1);
    assert.equal(parseQuantity('+2'), 2);
    assert.equal(parseQuantity('.5'), 0.5);
    assert.equal(parseQuantity('5.'), 5);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('1E-3'), 0.001);
    assert.equal(parseQuantity('1e+3'), 1000);
  });

  it('rejects malformed quantities with upstream messages', () => {
    for (const s of ['', 'abc', '.', '1.2.3', ' 1', '1 ', 'Mi', '-', '1Mi ']) {
      assert.throws(() => parseQuantity(s), (e: unknown) => e instanceof QuantityParseError && e.message === ERR_FORMAT_WRONG, JSON.stringify(s));
    }
    for (const s of ['1e', '5i', '1Kii', '1mi', '1KM', '1K']) {
      assert.throws(() => parseQuantity(s), { message: ERR_SUFFIX }, s);
    }
  });

  it('tryParseQuantity returns undefined instead of throwing', () => {
    assert.equal(tryParseQuantity('2Gi'), 2 * 2 ** 30);
    assert.equal(tryParseQuantity(3), 3);
    assert.equal(tryParseQuantity('x'), undefined);
    assert.equal(tryParseQuantity(null), undefined);
  });
});

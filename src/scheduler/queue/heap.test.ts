import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Heap } from './heap.ts';

describe('Heap', () => {
  it('pops in order and supports update and delete by key', () => {
    const h = new Heap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
    for (const [k, v] of [['a', 5], ['b', 3], ['c', 8], ['d', 1], ['e', 7]] as const) h.addOrUpdate({ k, v });
    h.addOrUpdate({ k: 'c', v: 0 });
    h.delete('d');
    const out: string[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.k);
    assert.deepEqual(out, ['c', 'b', 'a', 'e']);
    assert.equal(h.size, 0);
  });

  it('stays ordered under random operations', () => {
    const h = new Heap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
    const ref = new Map<string, number>();
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    for (let i = 0; i < 2000; i++) {
      const k = `k${Math.floor(rnd() * 100)}`;
      if (rnd() < 0.2) { h.delete(k); ref.delete(k); } else { const v = Math.floor(rnd() * 1000); h.addOrUpdate({ k, v }); ref.set(k, v); }
    }
    const out: number[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.v);
    assert.deepEqual(out, [...ref.values()].sort((a, b) => a - b));
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTokenFile, parseTokenFile, tokenDigest } from './token-file.ts';

describe('token file', () => {
  it('parses users, uids and quoted group lists, skipping blank and comment lines', () => {
    const t = parseTokenFile([
      '# agents',
      '',
      'abc,alice,1',
      ' def, bob, 2, "g1, g2"',
      'ghi,"carol, jr",3,"a,""b"""',
    ].join('\n'));
    assert.equal(t.entries.length, 3);
    assert.deepEqual(t.entries.map((e) => e.user), [
      { name: 'alice', uid: '1', groups: [] },
      { name: 'bob', uid: '2', groups: ['g1', 'g2'] },
      { name: 'carol, jr', uid: '3', groups: ['a', '"b"'] },
    ]);
    assert.ok(t.entries[0]!.digest.equals(tokenDigest('abc')));
  });

  it('names the line of a malformed record', () => {
    assert.throws(() => parseTokenFile('abc,alice,1\n\nonly,two\n', 'tokens.csv'), /Cannot parse token file "tokens.csv": line 3: expected at least 3 columns/);
    assert.throws(() => parseTokenFile('x,"open,1'), /line 1: unterminated quoted field/);
    assert.throws(() => parseTokenFile(',alice,1'), /line 1: the token is empty/);
    assert.throws(() => parseTokenFile('a,b,1\na,c,2'), /line 2: duplicate token/);
  });

  it('loads from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-tok-'));
    try {
      await writeFile(join(dir, 't.csv'), 'tok,u,uid,"system:nodes"\r\n');
      const t = await loadTokenFile(join(dir, 't.csv'));
      assert.deepEqual(t.entries[0]?.user, { name: 'u', uid: 'uid', groups: ['system:nodes'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

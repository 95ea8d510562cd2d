import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LineAssembler, formatLogLine, parseCriRecord, readCriLog, rotateCriLog } from './cri-log.ts';
import type { LogLine } from './cri-log.ts';

const dir = mkdtempSync('/tmp/skiff-test-crilog-');
after(() => rmSync(dir, { recursive: true, force: true }));

const collect = async (it: AsyncIterable<LogLine>): Promise<LogLine[]> => {
  const out: LogLine[] = [];
  for await (const l of it) out.push(l);
  return out;
};

test('parses full and partial records, with spaces in content', () => {
  assert.deepEqual(parseCriRecord('2024-01-01T00:00:00.1Z stdout F hello  world'), { timestamp: '2024-01-01T00:00:00.1Z', stream: 'stdout', partial: false, content: 'hello  world' });
  assert.equal(parseCriRecord('2024-01-01T00:00:00.1Z stderr P abc')?.partial, true);
  assert.equal(parseCriRecord('2024-01-01T00:00:00.1Z stdout F ')?.content, '');
  assert.equal(parseCriRecord('garbage'), undefined);
  assert.equal(parseCriRecord('2024 weird F x'), undefined);
});

test('partial records join into one line per stream', () => {
  const a = new LineAssembler();
  assert.equal(a.push({ timestamp: 't1', stream: 'stdout', partial: true, content: 'ab' }), undefined);
  assert.deepEqual(a.push({ timestamp: 't2', stream: 'stderr', partial: false, content: 'e' }), { timestamp: 't2', stream: 'stderr', content: 'e' });
  assert.deepEqual(a.push({ timestamp: 't3', stream: 'stdout', partial: false, content: 'cd' }), { timestamp: 't1', stream: 'stdout', content: 'abcd' });
  assert.equal(formatLogLine({ timestamp: 't1', stream: 'stdout', content: 'x' }, true), 't1 x\n');
  assert.equal(formatLogLine({ timestamp: 't1', stream: 'stdout', content: 'x' }, false), 'x\n');
});

test('tail, since and stream filters', async () => {
  const p = join(dir, 'a.log');
  writeFileSync(
    p,
    [
      '2024-01-01T00:00:01.000000000Z stdout F one',
      '2024-01-01T00:00:02.000000000Z stderr F two',
      '2024-01-01T00:00:03.000000000Z stdout P thr',
      '2024-01-01T00:00:03.100000000Z stdout F ee',
      '',
    ].join('\n'),
  );
  assert.deepEqual((await collect(readCriLog(p))).map((l) => l.content), ['one', 'two', 'three']);
  assert.deepEqual((await collect(readCriLog(p, { tail: 2 }))).map((l) => l.content), ['two', 'three']);
  assert.deepEqual((await collect(readCriLog(p, { tail: 0 }))).map((l) => l.content), []);
  assert.deepEqual((await collect(readCriLog(p, { since: new Date('2024-01-01T00:00:02Z') }))).map((l) => l.content), ['two', 'three']);
  assert.deepEqual((await collect(readCriLog(p, { streams: ['stderr'] }))).map((l) => l.content), ['two']);
  assert.deepEqual(await collect(readCriLog(join(dir, 'missing.log'))), []);
});

test('follow picks up appended lines and survives rotation', async () => {
  const p = join(dir, 'f.log');
  writeFileSync(p, '2024-01-01T00:00:01Z stdout F first\n');
  let stop = false;
  const got: string[] = [];
  const reading = (async () => {
    for await (const l of readCriLog(p, { follow: true, pollMs: 10, stopWhen: () => stop })) got.push(l.content);
  })();
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(p, '2024-01-01T00:00:02Z stdout F second\n');
  await new Promise((r) => setTimeout(r, 50));
  renameSync(p, `${p}.1`);
  writeFileSync(p, '2024-01-01T00:00:03Z stdout F third\n');
  await new Promise((r) => setTimeout(r, 50));
  stop = true;
  await reading;
  assert.deepEqual(got, ['first', 'second', 'third']);
});

test('follow ends on abort', async () => {
  const p = join(dir, 'g.log');
  writeFileSync(p, '');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  assert.deepEqual(await collect(readCriLog(p, { follow: true, signal: ac.signal, pollMs: 10 })), []);
});

test('rotation renames past the size, reopens, keeps maxFiles', async () => {
  const sub = mkdtempSync(join(dir, 'rot-'));
  const p = join(sub, 'c.log');
  let reopened = 0;
  const reopen = async (): Promise<void> => {
    reopened++;
    writeFileSync(p, '');
  };
  writeFileSync(p, 'x'.repeat(10));
  assert.equal(await rotateCriLog(p, { maxBytes: 100, maxFiles: 3 }, reopen), false);
  for (let i = 0; i < 4; i++) {
    writeFileSync(p, 'x'.repeat(200));
    assert.equal(await rotateCriLog(p, { maxBytes: 100, maxFiles: 3 }, reopen), true);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(reopened, 4);
  assert.equal(readdirSync(sub).filter((n) => n.startsWith('c.log.')).length, 2);
});

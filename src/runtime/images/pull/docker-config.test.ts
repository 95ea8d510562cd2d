import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dockerConfigCredentials, dockerConfigPath } from './docker-config.ts';

test('credentials come from a docker-style config file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-pull-'));
  try {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pa:ss').toString('base64') },
        '127.0.0.1:5000': { username: 'local', password: 'pw' },
      },
    }));
    assert.deepEqual(await dockerConfigCredentials('docker.io', path), { username: 'hub', password: 'pa:ss' });
    assert.deepEqual(await dockerConfigCredentials('127.0.0.1:5000', path), { username: 'local', password: 'pw' });
    assert.equal(await dockerConfigCredentials('quay.io', path), undefined);
    assert.equal(await dockerConfigCredentials('quay.io', join(dir, 'missing.json')), undefined);
    await writeFile(path, '{');
    await assert.rejects(dockerConfigCredentials('quay.io', path), /Cannot read credentials file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/x' }), '/x/config.json');
});

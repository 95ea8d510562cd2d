import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidIP, isValidLabelValue, isValidPortName, isValidPortNum } from './names.ts';

describe('name syntax', () => {
  it('checks DNS-1123 subdomains with the upstream message', () => {
    assert.deepEqual(isDNS1123Subdomain('example.com'), []);
    assert.deepEqual(isDNS1123Subdomain('Foo'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  });

  it('checks DNS-1123 labels', () => {
    assert.deepEqual(isDNS1123Label('my-name'), []);
    assert.deepEqual(isDNS1123Label('123-abc'), []);
    assert.equal(isDNS1123Label('a.b').length, 1);
    assert.match(isDNS1123Label('-a')[0]!, /^a lowercase RFC 1123 label must consist of .* \(e\.g\. 'my-name', {2}or '123-abc', regex used/);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  it('checks qualified names and label values', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('MyName'), []);
    assert.match(isQualifiedName('/x')[0]!, /^prefix part must be non-empty/);
    assert.match(isQualifiedName('Ex.com/x')[0]!, /^prefix part a lowercase RFC 1123 subdomain/);
    assert.match(isQualifiedName('a/b/c')[0]!, /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    assert.match(isQualifiedName('-x')[0]!, /^name part must consist of alphanumeric characters/);
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('my_value'), []);
    assert.match(isValidLabelValue('bad value')[0]!, /^a valid label must be an empty string or consist of/);
  });

  it('checks ports, config keys, env names and IPs', () => {
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('Http'), ['must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)']);
    assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
    assert.deepEqual(isValidPortName('a-very-long-port-name'), ['must be no more than 15 characters']);
    assert.deepEqual(isValidPortNum(65535), []);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
    assert.deepEqual(isConfigMapKey('key.name'), []);
    assert.match(isConfigMapKey('a/b')[0]!, /a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/);
    assert.deepEqual(isConfigMapKey('..a'), ["must not start with '..'"]);
    assert.deepEqual(isEnvVarName('MY_ENV.NAME'), []);
    assert.equal(isEnvVarName('1A').length, 1);
    for (const ip of ['10.0.0.1', '::1', '2001:db8::ffff', '::ffff:10.0.0.1', 'fe80::1:2:3:4:5']) assert.ok(isValidIP(ip), ip);
    for (const ip of ['10.0.0', '256.1.1.1', '01.1.1.1', '1::2::3', 'x', '1:2:3:4:5:6:7:8:9']) assert.ok(!isValidIP(ip), ip);
  });
});

describe('length before syntax', () => {
  it('reports only the length of an over-long value', () => {
    const huge = `${'A_'.repeat(500_000)}-`;
    assert.deepEqual(isDNS1123Subdomain(huge), ['must be no more than 253 characters']);
    assert.deepEqual(isDNS1123Label(huge), ['must be no more than 63 characters']);
    assert.deepEqual(isValidPortName(huge), ['must be no more than 15 characters']);
    assert.deepEqual(isQualifiedName(`example.com/${huge}`), ['name part must be no more than 63 characters']);
    assert.deepEqual(isQualifiedName(`${huge}/x`), ['prefix part must be no more than 253 characters']);
  });
});

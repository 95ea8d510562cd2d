// @kubernetes/client-node 1.4.0 Exec and PortForward through the API server to a kubelet server
// (WebSocket v5/v4 channels for exec, v4 port-forward channels with the port prefix).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import { POD_NAME, startStreamFixture, type StreamFixture } from './streams-fixture.ts';

let f: StreamFixture;
let kc: KubeConfig;

before(async () => {
  f = await startStreamFixture('cnstreams');
  kc = new KubeConfig();
  kc.loadFromFile(f.server.kubeconfig);
});

after(async () => {
  await f?.close();
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => { text += b.toString(); });
  return { stream, text: () => text };
}

async function execOnce(command: string[], stdin: Readable | null): Promise<{ status: V1Status; out: string; err: string }> {
  const out = collect();
  const err = collect();
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec('default', POD_NAME, 'app', command, out.stream, err.stream, stdin, false, resolve).catch(reject);
  });
  return { status, out: out.text(), err: err.text() };
}

describe('client-node Exec', () => {
  test('reports success, and the exit code of a failing command as a NonZeroExitCode status', async () => {
    const ok = await execOnce(['sh', '-c', 'echo to-out; echo to-err >&2'], null);
    assert.equal(ok.status.status, 'Success');
    assert.equal(ok.out, 'to-out\n');
    assert.equal(ok.err, 'to-err\n');
    const bad = await execOnce(['sh', '-c', 'exit 7'], null);
    assert.equal(bad.status.status, 'Failure');
    assert.equal(bad.status.reason, 'NonZeroExitCode');
    assert.deepEqual(bad.status.details?.causes?.map((c) => [c.reason, c.message]), [['ExitCode', '7']]);
  });

  test('streams stdin to the command and ends it when stdin ends (v5 close channel)', async () => {
    const r = await execOnce(['sh', '-c', 'cat; echo eof-seen'], Readable.from([Buffer.from('first\n'), Buffer.from('second\n')]));
    assert.equal(r.status.status, 'Success');
    assert.equal(r.out, 'first\nsecond\neof-seen\n');
  });
});

describe('client-node PortForward', () => {
  test('an HTTP request through a local listener reaches the pod\'s port 8080', async () => {
    const pf = new PortForward(kc);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      pf.portForward('default', POD_NAME, [8080], socket, null, socket).catch(() => socket.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      for (let i = 0; i < 2; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/index.html', agent: false, headers: { connection: 'close' } }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => { text += c; });
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end();
        });
        assert.equal(body, 'hello-from-pod\n');
      }
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('a bare WebSocket client', () => {
  test('exec over v4.channel.k8s.io: channel-prefixed output and a Status on channel 3', async () => {
    const opts: WebSocket.ClientOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = kc.getCurrentCluster()!.server.replace(/^https/, 'wss');
    const query = 'command=sh&command=-c&command=echo%20hi%3B%20echo%20oops%20%3E%262%3B%20exit%202&stdout=true&stderr=true&container=app';
    const ws = new WebSocket(`${server}/api/v1/namespaces/default/pods/${POD_NAME}/exec?${query}`, ['v4.channel.k8s.io'], opts);
    const channels = new Map<number, string>();
    ws.on('message', (data: Buffer) => channels.set(data[0]!, (channels.get(data[0]!) ?? '') + data.subarray(1).toString()));
    const [code] = await once(ws, 'close') as [number];
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    assert.equal(code, 1000);
    assert.equal(channels.get(1), 'hi\n');
    assert.equal(channels.get(2), 'oops\n');
    const status = JSON.parse(channels.get(3) ?? '{}') as V1Status;
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details?.causes?.[0]?.message, '2');
  });

  test('exec stdin written as TEXT messages (as the Python client does) reaches the process', async () => {
    const opts: WebSocket.ClientOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = kc.getCurrentCluster()!.server.replace(/^https/, 'wss');
    const query = 'command=cat&stdin=true&stdout=true&stderr=true&container=app';
    const ws = new WebSocket(`${server}/api/v1/namespaces/default/pods/${POD_NAME}/exec?${query}`, ['v5.channel.k8s.io'], opts);
    const channels = new Map<number, string>();
    ws.on('message', (data: Buffer) => channels.set(data[0]!, (channels.get(data[0]!) ?? '') + data.subarray(1).toString()));
    await once(ws, 'open');
    ws.send('\u0000text-in\n', { binary: false });
    ws.send('\u0000h\u00e9\n', { binary: false });
    // v5's "close stdin" (channel 255, then the stdin channel): cat sees EOF and exits.
    ws.send(Buffer.from([255, 0]), { binary: true });
    const [code] = await once(ws, 'close') as [number];
    assert.equal(code, 1000);
    assert.equal(channels.get(1), 'text-in\nh\u00e9\n');
    assert.equal((JSON.parse(channels.get(3) ?? '{}') as V1Status).status, 'Success');
  });

  test('port-forward data written as a TEXT message reaches the pod\'s port', async () => {
    const opts: WebSocket.ClientOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = kc.getCurrentCluster()!.server.replace(/^https/, 'wss');
    const ws = new WebSocket(`${server}/api/v1/namespaces/default/pods/${POD_NAME}/portforward?ports=8080`, ['v4.channel.k8s.io'], opts);
    let data = Buffer.alloc(0);
    let prefixes = 0;
    const replied = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply through the forward; got ${JSON.stringify(data.toString())}`)), 10_000);
      ws.on('message', (m: Buffer) => {
        // The first message on each channel is the port; the rest of channel 0 is the reply.
        if (prefixes < 2) prefixes++;
        else if (m[0] === 0) data = Buffer.concat([data, m.subarray(1)]);
        if (data.toString().includes('hello-from-pod\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await once(ws, 'open');
    ws.send('\u0000GET /index.html HTTP/1.0\r\n\r\n', { binary: false });
    try {
      await replied;
      assert.match(data.toString(), /^HTTP\/1\.[01] 200/);
    } finally {
      ws.close();
    }
  });

  test('a client offering no protocol the kubelet speaks is refused before the upgrade', async () => {
    const opts: WebSocket.ClientOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = kc.getCurrentCluster()!.server.replace(/^https/, 'wss');
    const ws = new WebSocket(`${server}/api/v1/namespaces/default/pods/${POD_NAME}/exec?command=true&stdout=true&container=app`, ['base64.channel.k8s.io'], opts);
    ws.on('error', () => {});
    const [, res] = await once(ws, 'unexpected-response') as [unknown, IncomingMessage];
    assert.equal(res.statusCode, 400);
    res.resume();
    ws.terminate();
  });
});

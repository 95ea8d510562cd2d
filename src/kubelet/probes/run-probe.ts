// One probe run, as pkg/kubelet/prober/prober.go runProbe: pick the handler, resolve the port,
// run it with the probe's timeout (timeoutSeconds, default 1).
import type { Probe } from '../../api/types/core-v1.ts';
import { execProbe } from './exec-probe.ts';
import { grpcProbe } from './grpc-probe.ts';
import { httpProbe } from './http-probe.ts';
import { ProbePortError, resolvePort } from './ports.ts';
import { tcpProbe } from './tcp-probe.ts';
import type { ProbeContext, ProbeOutcome } from './types.ts';

export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds && probe.timeoutSeconds > 0 ? probe.timeoutSeconds : 1) * 1000;
  // Without an address a socket would go to this node's own localhost: refuse instead.
  const noAddress: ProbeOutcome = { result: 'failure', message: 'pod has no IP address yet', errored: true };
  try {
    if (probe.exec) return await execProbe(probe.exec, ctx.container, ctx.exec, timeoutMs);
    if (probe.httpGet) {
      const port = resolvePort(probe.httpGet.port, ctx.container);
      const host = probe.httpGet.host || ctx.podIP;
      return host ? await httpProbe(probe.httpGet, host, port, timeoutMs) : noAddress;
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port, ctx.container);
      const host = probe.tcpSocket.host || ctx.podIP;
      return host ? await tcpProbe(host, port, timeoutMs) : noAddress;
    }
    if (probe.grpc) return ctx.podIP ? await grpcProbe(ctx.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs) : noAddress;
  } catch (err) {
    if (err instanceof ProbePortError) return { result: 'failure', message: err.message, errored: true };
    throw err;
  }
  return { result: 'failure', message: `missing probe handler for ${ctx.container.name}`, errored: true };
}

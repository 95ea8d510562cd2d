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
  try {
    if (probe.exec) return await execProbe(probe.exec, ctx.container, ctx.exec, timeoutMs);
    if (probe.httpGet) {
      const port = resolvePort(probe.httpGet.port, ctx.container);
      return await httpProbe(probe.httpGet, probe.httpGet.host || ctx.podIP, port, timeoutMs);
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port, ctx.container);
      return await tcpProbe(probe.tcpSocket.host || ctx.podIP, port, timeoutMs);
    }
    if (probe.grpc) return await grpcProbe(ctx.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
  } catch (err) {
    if (err instanceof ProbePortError) return { result: 'failure', message: err.message, errored: true };
    throw err;
  }
  return { result: 'failure', message: `missing probe handler for ${ctx.container.name}`, errored: true };
}

// GET /stats/summary on the kubelet's server (pkg/kubelet/server/stats/handler.go handleSummary).
// `only_cpu_and_memory=true` is accepted: skiff's summary holds nothing else anyway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../server/http-error.ts';
import type { StatsProvider } from './stats-provider.ts';

export const STATS_SUMMARY_PATH = '/stats/summary';

/** Answers the request if it is for the stats endpoints; false otherwise. */
export async function serveStats(req: IncomingMessage, res: ServerResponse, pathname: string, provider: StatsProvider | undefined): Promise<boolean> {
  if (pathname !== STATS_SUMMARY_PATH && pathname !== `${STATS_SUMMARY_PATH}/`) return false;
  if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${pathname}`);
  if (!provider) throw new HttpError(503, 'stats are not available yet');
  const body = JSON.stringify(await provider.summary());
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  return true;
}

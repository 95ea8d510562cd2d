// Reads GET /stats/summary from the kubelets of the nodes a request needs, concurrently and with a
// short timeout each; a node that does not answer is logged and left out, as metrics-server's
// scraper does (pkg/scraper/scraper.go), so one broken node does not fail `kubectl top`.
import type { Logger } from 'pino';
import type { Node } from '../../api/types/core-v1.ts';
import type { Summary } from '../../api/types/stats-v1alpha1.ts';
import { kubeletGetJson, type KubeletClientCert } from '../kubelet-client.ts';

export interface SummaryCollectorOptions {
  kubeletClient: KubeletClientCert | undefined;
  log: Logger;
  /** Per-node timeout (ms); 5 s by default. */
  timeoutMs?: number;
  /** How a summary is fetched; the kubelet's HTTPS endpoint by default (tests give another). */
  fetchSummary?: (node: Node, signal: AbortSignal) => Promise<Summary>;
}

export const SUMMARY_PATH = '/stats/summary?only_cpu_and_memory=true';

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export class SummaryCollector {
  readonly #o: SummaryCollectorOptions;

  constructor(opts: SummaryCollectorOptions) {
    this.#o = opts;
  }

  /** Summaries of the Ready nodes among `nodes`, by node name. */
  async collect(nodes: Node[], signal: AbortSignal): Promise<Map<string, Summary>> {
    const out = new Map<string, Summary>();
    const timeoutMs = this.#o.timeoutMs ?? 5000;
    const fetch = this.#o.fetchSummary ?? ((node: Node, sig: AbortSignal) => kubeletGetJson<Summary>(node, SUMMARY_PATH, { cert: this.#o.kubeletClient, timeoutMs, signal: sig }));
    await Promise.all(nodes.filter(isNodeReady).map(async (node) => {
      const name = node.metadata.name!;
      try {
        const summary = await fetch(node, signal);
        if (!summary || typeof summary !== 'object' || !summary.node || !Array.isArray(summary.pods)) throw new Error('not a stats summary');
        out.set(name, summary);
      } catch (err) {
        this.#o.log.warn({ node: name, err: (err as Error).message }, 'failed to read the node\'s stats summary; skipping it');
      }
    }));
    return out;
  }
}

// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler/horizontal.go): every
// autoscaling/v2 HPA is synced once per sync period (a work queue of ns/name keys, each requeued
// after its sync); a sync reads the target's `scale` subresource, asks metrics.k8s.io for the
// pods' usage, proposes a size per metric (replica-calculator.ts), keeps the largest, normalises
// it (scale-behavior.ts: min/max, stabilisation, policies), writes the scale and then the status
// (currentMetrics, desiredReplicas, conditions), with the events upstream records.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { formatDecimalSI } from '../../api/quantity-format.ts';
import { matchesLabels, parseLabelSelector, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { ObjectReference, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder, type EventType } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { metaNow, setCondition } from './hpa-conditions.ts';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, Scale } from './hpa-types.ts';
import { getResourceMetric } from './metrics-client.ts';
import { DEFAULT_CALCULATOR_OPTIONS, milliValue, rawResourceReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.ts';
import { ScaleNormalizer } from './scale-behavior.ts';
import { keyOf } from '../util/object-keys.ts';

const HPAS = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespaced: true };
const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };

export interface HPAControllerOptions {
  /** --horizontal-pod-autoscaler-sync-period (15s). */
  syncPeriodMs?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5m). */
  downscaleStabilizationMs?: number;
  /** --concurrent-horizontal-pod-autoscaler-syncs (5). */
  workers?: number;
  calculator?: Partial<Omit<CalculatorOptions, 'nowMs'>>;
}

export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;
export const DEFAULT_HPA_DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

/** A metric's failure: the condition reason and the error (computeReplicasForMetric's condition). */
class MetricError extends Error {
  readonly code = 'HPAMetric';
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

interface MetricsOutcome {
  /** -1 when no size could be computed. */
  replicas: number;
  metricName: string;
  statuses: MetricStatus[];
  error?: Error;
}

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = 'horizontal-pod-autoscaler';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #syncPeriodMs: number;
  readonly #workers: number;
  readonly #calc: Omit<CalculatorOptions, 'nowMs'>;
  readonly #normalizer: ScaleNormalizer;
  readonly #queue = new WorkQueue<string>();
  readonly #recorder: EventRecorder;
  #hpaInformer: Informer<HorizontalPodAutoscaler> | undefined;
  #podIndex: NamespaceIndex<Pod> | undefined;

  constructor(cs: Clientset, log: Logger, options: HPAControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#syncPeriodMs = options.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
    this.#workers = options.workers ?? 5;
    this.#calc = { ...DEFAULT_CALCULATOR_OPTIONS, ...options.calculator };
    this.#normalizer = new ScaleNormalizer(options.downscaleStabilizationMs ?? DEFAULT_HPA_DOWNSCALE_STABILIZATION_MS);
    this.#recorder = new EventRecorder({ clientset: cs, component: 'horizontal-pod-autoscaler', host: hostname(), log: this.#log });
  }

  async run(signal: AbortSignal): Promise<void> {
    const hpaInformer = this.#cs.informer<HorizontalPodAutoscaler>(HPAS);
    const podInformer = this.#cs.informer<Pod>(PODS);
    this.#hpaInformer = hpaInformer;
    this.#podIndex = new NamespaceIndex(podInformer);
    hpaInformer.addHandlers({
      add: (h) => this.#queue.add(keyOf(h)),
      // Our own status writes come back as updates: only a changed spec is news before the next period.
      update: (old, h) => { if (JSON.stringify(old.spec) !== JSON.stringify(h.spec)) this.#queue.add(keyOf(h)); },
      delete: (h) => this.#queue.add(keyOf(h)),
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([hpaInformer.waitForSync(signal), podInformer.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  /** Reconciles one HPA and comes back to it after the sync period, whatever the outcome (upstream's resync). */
  async sync(key: string): Promise<void> {
    const shared = this.#hpaInformer?.get(key);
    if (!shared) {
      this.#normalizer.forget(key);
      return;
    }
    try {
      await this.#reconcile(structuredClone(shared), key);
    } catch (err) {
      this.#log.info({ key, err: (err as Error).message }, 'autoscaler sync failed');
    } finally {
      this.#queue.addAfter(key, this.#syncPeriodMs);
    }
  }

  #event(hpa: HorizontalPodAutoscaler, type: EventType, reason: string, message: string): void {
    const ref: ObjectReference = {
      kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', namespace: hpa.metadata.namespace ?? 'default', name: hpa.metadata.name ?? '',
      ...(hpa.metadata.uid ? { uid: hpa.metadata.uid } : {}),
      ...(hpa.metadata.resourceVersion ? { resourceVersion: hpa.metadata.resourceVersion } : {}),
    };
    this.#recorder.record(ref, type, reason, message);
  }

  async #updateStatus(original: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    if (JSON.stringify(hpa.status) === original) return;
    await this.#cs.resource<HorizontalPodAutoscaler>('autoscaling/v2', 'horizontalpodautoscalers').updateStatus(hpa.metadata.namespace, hpa);
  }

  async #reconcile(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    hpa.status ??= { desiredReplicas: 0 };
    const original = JSON.stringify(hpa.status);
    const ns = hpa.metadata.namespace ?? 'default';
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${ns}/${ref.name}`;

    let scale: Scale;
    let scales;
    try {
      scales = this.#cs.kind<Scale>(ref.apiVersion ?? '', ref.kind);
      scale = await scales.get(ns, ref.name, 'scale');
    } catch (err) {
      const msg = (err as Error).message;
      this.#event(hpa, 'Warning', 'FailedGetScale', msg);
      setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.#updateStatus(original, hpa);
      throw new Error(`failed to query scale subresource for ${reference}: ${msg}`, { cause: err });
    }
    setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
    const currentReplicas = scale.spec?.replicas ?? 0;
    const statusReplicas = scale.status?.replicas ?? 0;
    this.#normalizer.recordInitial(key, currentReplicas);

    const minReplicas = hpa.spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let statuses: MetricStatus[] = [];
    let retErr: Error | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      desiredReplicas = 0;
      rescale = false;
      setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > hpa.spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = hpa.spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const outcome = await this.#computeReplicasForMetrics(hpa, scale, hpa.spec.metrics ?? []);
      statuses = outcome.statuses;
      if (outcome.error && outcome.replicas === -1) {
        this.#setStatus(hpa, statusReplicas, hpa.status.desiredReplicas, statuses, false);
        await this.#updateStatus(original, hpa);
        this.#event(hpa, 'Warning', 'FailedComputeMetricsReplicas', outcome.error.message);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${outcome.error.message}`);
      }
      retErr = outcome.error;
      let rescaleMetric = '';
      if (outcome.replicas > desiredReplicas) {
        desiredReplicas = outcome.replicas;
        rescaleMetric = outcome.metricName;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = this.#normalizer.normalize(hpa, { key, currentReplicas, desiredReplicas, minReplicas, maxReplicas: hpa.spec.maxReplicas });
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await scales.update(ns, { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } }, { subresource: 'scale' });
      } catch (err) {
        const msg = (err as Error).message;
        this.#event(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${msg}`);
        setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        this.#setStatus(hpa, statusReplicas, hpa.status.desiredReplicas, statuses, false);
        await this.#updateStatus(original, hpa);
        throw new Error(`failed to rescale ${reference}: ${msg}`, { cause: err });
      }
      setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
      this.#event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.#normalizer.recordScale(hpa, key, currentReplicas, desiredReplicas);
      this.#log.info({ key, from: currentReplicas, to: desiredReplicas, reason: rescaleReason }, 'successfully rescaled');
    } else {
      desiredReplicas = currentReplicas;
    }
    this.#setStatus(hpa, statusReplicas, desiredReplicas, statuses, rescale);
    await this.#updateStatus(original, hpa);
    if (retErr) throw retErr;
  }

  #setStatus(hpa: HorizontalPodAutoscaler, currentReplicas: number, desiredReplicas: number, statuses: MetricStatus[], rescale: boolean): void {
    const prev = hpa.status;
    hpa.status = {
      ...(prev?.observedGeneration !== undefined ? { observedGeneration: prev.observedGeneration } : {}),
      ...(rescale ? { lastScaleTime: metaNow() } : prev?.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
      currentReplicas, desiredReplicas,
      ...(statuses.length > 0 ? { currentMetrics: statuses } : {}),
      ...(prev?.conditions ? { conditions: prev.conditions } : {}),
    };
  }

  /** computeReplicasForMetrics: the largest proposal; failing metrics block only a scale down. */
  async #computeReplicasForMetrics(hpa: HorizontalPodAutoscaler, scale: Scale, specs: MetricSpec[]): Promise<MetricsOutcome> {
    const selectorText = scale.status?.selector ?? '';
    let selector: LabelSelectorExpr;
    if (selectorText === '') {
      const msg = 'selector is required';
      this.#event(hpa, 'Warning', 'SelectorRequired', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale is missing a selector');
      return { replicas: -1, metricName: '', statuses: [], error: new Error(msg) };
    }
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`;
      this.#event(hpa, 'Warning', 'InvalidSelector', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg);
      return { replicas: -1, metricName: '', statuses: [], error: new Error(msg) };
    }
    const specReplicas = scale.spec?.replicas ?? 0;
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metricName = '';
    let invalid = 0;
    let firstError: MetricError | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        const r = await this.#computeForMetric(hpa, spec, specReplicas, selectorText, selector);
        statuses[i] = r.status;
        if (replicas === 0 || r.replicas > replicas) {
          replicas = r.replicas;
          metricName = r.metricName;
        }
      } catch (err) {
        const e = err instanceof MetricError ? err : new MetricError('FailedGetResourceMetric', (err as Error).message);
        firstError ??= e;
        invalid++;
      }
    }
    const error = firstError ? new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}`) : undefined;
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      setCondition(hpa, 'ScalingActive', 'False', firstError?.reason ?? 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${firstError?.message ?? 'no metrics'}`);
      return { replicas: -1, metricName: '', statuses, error: error ?? new Error('no metrics to compute a replica count from') };
    }
    setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`);
    return { replicas, metricName, statuses, ...(error ? { error } : {}) };
  }

  /** One Resource or ContainerResource metric; other types need adapters skiff does not serve. */
  async #computeForMetric(hpa: HorizontalPodAutoscaler, spec: MetricSpec, specReplicas: number, selectorText: string, selector: LabelSelectorExpr): Promise<{ replicas: number; metricName: string; status: MetricStatus }> {
    const source = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
    if (!source) {
      const msg = `unsupported metric source type "${spec.type}": skiff serves resource metrics only`;
      this.#event(hpa, 'Warning', 'InvalidMetricSourceType', msg);
      throw new MetricError('InvalidMetricSourceType', msg);
    }
    const container = spec.type === 'ContainerResource' ? spec.containerResource?.container ?? '' : '';
    const ns = hpa.metadata.namespace ?? 'default';
    const kind = spec.type === 'Resource' ? 'resource' : 'container resource';
    const failure = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
    try {
      const t = source.target;
      if (t.averageValue === undefined && t.averageUtilization === undefined) {
        throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
      }
      const { metrics } = await getResourceMetric(this.#cs.rest, ns, selectorText, source.name, container).catch((err: unknown) => {
        throw new Error(`unable to get metrics for resource ${source.name}: ${(err as Error).message}`);
      });
      const pods = (this.#podIndex?.list(ns) ?? []).filter((p) => matchesLabels(selector, p.metadata.labels));
      const input = { currentReplicas: specReplicas, resource: source.name, container, pods, metrics };
      const opts = { ...this.#calc, nowMs: Date.now() };
      const current = t.averageValue !== undefined
        ? (() => {
          const p = rawResourceReplicas(input, milliValue(t.averageValue), opts);
          return { p, name: `${source.name} ${kind}`, value: { averageValue: formatDecimalSI(p.rawAverage, -3) } };
        })()
        : (() => {
          const p = resourceReplicas(input, t.averageUtilization!, opts);
          return { p, name: `${source.name} ${kind} utilization (percentage of request)`, value: { averageValue: formatDecimalSI(p.rawAverage, -3), averageUtilization: p.utilization! } };
        })();
      const status: MetricStatus = spec.type === 'Resource'
        ? { type: 'Resource', resource: { name: source.name, current: current.value } }
        : { type: 'ContainerResource', containerResource: { name: source.name, container, current: current.value } };
      return { replicas: current.p.replicas, metricName: current.name, status };
    } catch (err) {
      const msg = (err as Error).message;
      this.#event(hpa, 'Warning', failure, msg);
      throw new MetricError(failure, msg);
    }
  }
}

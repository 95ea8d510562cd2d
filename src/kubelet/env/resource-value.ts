// resourceFieldRef values, as pkg/api/v1/resource/helpers.go (ExtractContainerResourceValue,
// MergeContainerResourceLimits, ExtractResourceValueByContainerNameAndNodeAllocatable): the value is
// divided by the divisor and rounded up; a limit the container does not set defaults to the node's
// allocatable amount (pkg/kubelet/kubelet_resources.go defaultPodLimitsForDownwardAPI).
import type { Container, Pod, ResourceFieldSelector, ResourceList } from '../../api/types/core-v1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { FieldPathError } from './errors.ts';

const DEFAULTED = ['cpu', 'memory', 'ephemeral-storage'];

/** Ceiling that ignores binary floating-point noise (0.1 * 1000 is 100, not 101). */
function ceil(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.ceil(x);
}

function quantity(text: string | undefined): number {
  if (text === undefined) return 0;
  try {
    return parseQuantity(text);
  } catch (err) {
    throw new FieldPathError(`invalid quantity "${text}": ${(err as Error).message}`, { cause: err });
  }
}

/** The container with limits it leaves unset filled from the node's allocatable resources. */
export function withDefaultLimits(container: Container, allocatable: ResourceList): Container {
  const limits: ResourceList = { ...(container.resources?.limits ?? {}) };
  for (const name of Object.keys(allocatable)) {
    const isDefaulted = DEFAULTED.includes(name) || name.startsWith('hugepages-');
    if (isDefaulted && limits[name] === undefined && allocatable[name] !== undefined) limits[name] = allocatable[name];
  }
  return { ...container, resources: { ...container.resources, limits } };
}

/** The value of `limits.cpu`, `requests.memory`, … for one container, as a decimal string. */
export function containerResourceValue(fs: ResourceFieldSelector, container: Container): string {
  const divisorValue = fs.divisor === undefined ? 0 : quantity(fs.divisor);
  const divisor = divisorValue === 0 ? 1 : divisorValue;
  const dot = fs.resource.indexOf('.');
  const section = fs.resource.slice(0, dot);
  const name = fs.resource.slice(dot + 1);
  const supported = DEFAULTED.includes(name) || name.startsWith('hugepages-');
  if ((section !== 'limits' && section !== 'requests') || !supported) {
    throw new FieldPathError(`unsupported container resource : ${fs.resource}`);
  }
  const list = section === 'limits' ? container.resources?.limits : container.resources?.requests;
  const value = quantity(list?.[name]);
  // CPU is compared in millicores (Quantity.MilliValue), the rest in units (Quantity.Value); both
  // round up, as does the division.
  if (name === 'cpu') return String(ceil(ceil(value * 1000) / ceil(divisor * 1000)));
  return String(ceil(ceil(value) / ceil(divisor)));
}

/** downwardAPI volume items name their container; env vars default to their own. */
export function resourceValueForContainer(fs: ResourceFieldSelector, pod: Pod, containerName: string, allocatable: ResourceList): string {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const container = all.find((c) => c.name === containerName);
  if (!container) throw new FieldPathError(`container ${containerName} not found`);
  return containerResourceValue(fs, withDefaultLimits(container, allocatable));
}

// Query parameters read the way kube-apiserver converts them into its option structs
// (ListOptions, PatchOptions, DeleteOptions, PodLogOptions, PodExecOptions), in one place so every
// handler agrees with every client, not only with what kubectl happens to send.

/**
 * A boolean query value, as apimachinery/pkg/runtime/conversion.go Convert_Slice_string_To_bool and
 * meta/v1/conversion.go Convert_Slice_string_To_Pointer_bool read it: "0" and "false" in any case
 * are false; every other value is true ("True" from the Python client, "t", "yes", and the empty
 * value of a bare `?watch`). Upstream refuses none of them, so neither do we.
 */
export function parseBool(v: string): boolean {
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** A boolean query parameter; undefined when absent (upstream's nil *bool). The first value wins. */
export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  return v === null ? undefined : parseBool(v);
}

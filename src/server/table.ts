/**
 * @module server/table
 *
 * `meta.k8s.io/v1` Table responses (apimachinery `pkg/apis/meta/v1/types.go`):
 * what `kubectl get` asks for so the server decides the columns. Each row
 * carries the object's metadata as `PartialObjectMetadata` (the NAMESPACE
 * column of `-A` comes from it), or the whole object with
 * `includeObject=Object`.
 */
import type { KubeObject, ResourceType } from './resources.js';

export function tableOf(
  r: ResourceType, items: readonly KubeObject[], resourceVersion: string, now: number, includeObject: string | null, withColumns = true,
): Record<string, unknown> {
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion },
    ...(withColumns
      ? { columnDefinitions: r.columns.map(({ name, type, format, description, priority }) => ({ name, type, format: format ?? '', description, priority })) }
      : {}),
    rows: items.map((o) => ({
      cells: r.columns.map((c) => c.cell(o, now)),
      object: includeObject === 'None' ? undefined
        : includeObject === 'Object' ? o
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

/**
 * @module server/protobuf
 *
 * The few Kubernetes protobuf bodies kubectl sends no matter what the server
 * prefers: typed-client commands such as `kubectl create namespace` post
 * `application/vnd.kubernetes.protobuf` and do not retry with JSON on 415.
 * The envelope is `k8s\0` + `runtime.Unknown{typeMeta, raw}`
 * (apimachinery `pkg/runtime/serializer/protobuf`); `raw` is decoded here
 * for kinds whose objects are metadata only (Namespace, ServiceAccount), with
 * the field numbers of `k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto`.
 * Anything else is refused with 415 by the caller.
 */

type Fields = Map<number, (Buffer | number)[]>;

/** Splits one message into its fields (varints as numbers, length-delimited as bytes). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('varint too long');
    }
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw new Error('truncated field');
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) { value = 0; i += 8; }
    else if (wire === 5) { value = 0; i += 4; }
    else throw new Error(`unsupported wire type ${wire}`);
    out.set(no, [...(out.get(no) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};

function stringMap(f: Fields, n: number): Record<string, string> | undefined {
  const entries = f.get(n);
  if (!entries?.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) if (Buffer.isBuffer(e)) {
    const kv = fields(e);
    out[str(kv, 1) ?? ''] = str(kv, 2) ?? '';
  }
  return out;
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const f = fields(buf);
  const meta: Record<string, unknown> = {};
  const name = str(f, 1);
  const generateName = str(f, 2);
  const namespace = str(f, 3);
  if (name) meta.name = name;
  if (generateName) meta.generateName = generateName;
  if (namespace) meta.namespace = namespace;
  const labels = stringMap(f, 11);
  const annotations = stringMap(f, 12);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  return meta;
}

const METADATA_ONLY = new Set(['Namespace', 'ServiceAccount']);

/** The object in a protobuf body, or undefined when polis cannot read this kind from protobuf. */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> | undefined {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') return undefined;
  try {
    const unknown = fields(body.subarray(4));
    const typeMeta = unknown.get(1)?.[0];
    const raw = unknown.get(2)?.[0];
    if (!Buffer.isBuffer(typeMeta) || !Buffer.isBuffer(raw)) return undefined;
    const tm = fields(typeMeta);
    const apiVersion = str(tm, 1) ?? '';
    const kind = str(tm, 2) ?? '';
    if (!METADATA_ONLY.has(kind)) return undefined;
    const obj = fields(raw);
    const meta = obj.get(1)?.[0];
    return { apiVersion, kind, metadata: Buffer.isBuffer(meta) ? objectMeta(meta) : {} };
  } catch {
    return undefined;
  }
}

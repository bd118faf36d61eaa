/**
 * The on-disk form of one preprocessed case: magic, a JSON header, then float32 image, uint8 foreground and
 * (test cases) uint8 label, so a load is one read and zero-copy views.
 * @module
 */
import type { Case, CaseMetadata } from "../dataset.ts";

const MAGIC = "DAECASE1";

/** Serialises a case. */
export function encodeCase(c: Case): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      id: c.id,
      shape: c.shape,
      spacing: c.spacing ?? null,
      affine: c.affine ?? null,
      label: c.label !== undefined,
      ...(c.metadata ? { metadata: c.metadata } : {}),
    }),
  );
  const n = c.shape[0] * c.shape[1] * c.shape[2];
  if (c.image.length !== n * c.shape[3] || c.foreground.length !== n || (c.label && c.label.length !== n)) {
    throw new Error(`case ${c.id}: array lengths do not match shape [${c.shape.join(", ")}]`);
  }
  const start = align4(12 + header.length);
  const out = new Uint8Array(start + 4 * c.image.length + n * (c.label ? 2 : 1));
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  new Float32Array(out.buffer, start, c.image.length).set(c.image);
  out.set(c.foreground, start + 4 * c.image.length);
  if (c.label) out.set(c.label, start + 4 * c.image.length + n);
  return out;
}

/** Where a case file's parts lie: its header and the byte offsets of its arrays. */
export interface CaseLayout {
  /** Case id. */
  readonly id: string;
  /** [D, H, W, C]. */
  readonly shape: [number, number, number, number];
  /** Voxel size [z, y, x] mm, where recorded. */
  readonly spacing?: [number, number, number];
  /** Voxel → world affine, where recorded. */
  readonly affine?: number[][];
  /** The case's metadata, where it has some. */
  readonly metadata?: CaseMetadata;
  /** Byte offset of the image (float32, D·H·W·C values, channel last); a multiple of 4. */
  readonly imageAt: number;
  /** Byte offset of the foreground (uint8, D·H·W values). */
  readonly foregroundAt: number;
  /** Byte offset of the label (uint8, D·H·W values), where the case has one. */
  readonly labelAt?: number;
}

/**
 * Parses a case file's header and checks that `bytes` holds exactly the arrays it announces; `name` labels the
 * error when the bytes are not a complete case. Readers of single samples use the offsets (`StoredCase`).
 */
export function caseLayout(bytes: Uint8Array, name: string): CaseLayout {
  const bad = (why: string) => new Error(`${name}: corrupt cache file (${why})`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad("wrong magic");
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header: {
    id: string;
    shape: [number, number, number, number];
    spacing: [number, number, number] | null;
    affine?: number[][] | null;
    label: boolean;
    metadata?: CaseMetadata;
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  } catch {
    throw bad("unreadable header");
  }
  const [d, h, w, ch] = header.shape;
  const n = d * h * w;
  const start = align4(12 + len);
  if (bytes.length !== start + 4 * n * ch + n * (header.label ? 2 : 1)) {
    throw bad(`size ${bytes.length} does not match its header`);
  }
  const fgAt = start + 4 * n * ch;
  return {
    id: header.id,
    shape: header.shape,
    ...(header.spacing ? { spacing: header.spacing } : {}),
    ...(header.affine ? { affine: header.affine } : {}),
    ...(header.metadata ? { metadata: header.metadata } : {}),
    imageAt: start,
    foregroundAt: fgAt,
    ...(header.label ? { labelAt: fgAt + n } : {}),
  };
}

/** Reads a case back; `name` labels the error when the bytes are not a complete case. */
export function decodeCase(bytes: Uint8Array, name: string): Case {
  const l = caseLayout(bytes, name);
  const [d, h, w, ch] = l.shape;
  const n = d * h * w;
  // readFile gives a fresh buffer starting at offset 0, so the float view is aligned; copy otherwise.
  const at = bytes.byteOffset + l.imageAt;
  const image = at % 4 === 0
    ? new Float32Array(bytes.buffer, at, n * ch)
    : new Float32Array(bytes.slice(l.imageAt, l.imageAt + 4 * n * ch).buffer);
  return {
    id: l.id,
    shape: l.shape,
    image,
    foreground: bytes.subarray(l.foregroundAt, l.foregroundAt + n),
    ...(l.labelAt !== undefined ? { label: bytes.subarray(l.labelAt, l.labelAt + n) } : {}),
    ...(l.spacing ? { spacing: l.spacing } : {}),
    ...(l.affine ? { affine: l.affine } : {}),
    ...(l.metadata ? { metadata: l.metadata } : {}),
  };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Prints the SHA-256 of the loss and every parameter gradient of DAE steps on the fused cpu path (2-D with
 * direct and Winograd layers, 3-D), taken twice in this process: `<first> <second>`. Run by
 * determinism_test.ts with several `UAD_CPU_THREADS`.
 * @module
 */
import { startCpuThreads } from "../../register_cpu.ts";
import { UNet, type UNetOptions } from "../../../nn/unet.ts";
import { Rng } from "../../../rng.ts";
import { selectBackend } from "../../../backend.ts";
import { tf } from "../../../tf.ts";

await selectBackend("cpu");
await startCpuThreads();

function stepBytes(opts: UNetOptions, shape: number[]): Uint8Array[] {
  const net = new UNet(opts, new Rng(7));
  const rng = new Rng(8);
  const n = shape.reduce((a, b) => a * b, 1);
  const images = tf.tensor(Float32Array.from({ length: n }, () => Math.abs(rng.normal())), shape);
  const noise = tf.tensor(Float32Array.from({ length: n }, () => 0.2 * rng.normal()), shape);
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(tf.sub(net.apply(tf.add(images, noise)), images))) as tf.Scalar,
    net.params.list(),
  );
  const out = [value, ...net.params.names().map((name) => grads[net.params.get(name).name]!)].map((t) =>
    new Uint8Array((t.dataSync() as Float32Array).slice().buffer)
  );
  tf.dispose([images, noise, value, ...Object.values(grads)]);
  net.params.dispose();
  return out;
}

async function digest(): Promise<string> {
  const parts = [
    ...stepBytes({ dims: 2, inChannels: 4, outChannels: 4, widths: [8, 32, 64] }, [16, 32, 32, 4]),
    ...stepBytes({ dims: 3, inChannels: 1, outChannels: 1, widths: [4, 8] }, [2, 8, 16, 16, 1]),
  ];
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, at), at += p.length;
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

console.log(`${await digest()} ${await digest()}`);

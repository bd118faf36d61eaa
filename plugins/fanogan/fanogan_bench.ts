/**
 * f-AnoGAN's cost on the cpu backend with the project's fast kernels, CPU default config, 64×64×4, batch 16:
 * `deno bench -A plugins/fanogan/fanogan_bench.ts`. Each training step is the same composition of losses
 * and optimiser as `Fanogan.train`; scoring is `Fanogan.score` (divide by 16 for ms/slice).
 * @module
 */
import { Adam, parseConfig, tf } from "../../core/mod.ts";
import { registerFastCpuConvKernels, registerFastCpuMatMulKernel } from "../../core/backends/mod.ts";
import { fanoganSchema } from "./config.ts";
import { Fanogan } from "./fanogan.ts";
import { izifLoss } from "./izif.ts";
import { criticLoss, generatorLoss } from "./wgan_gp.ts";

await tf.setBackend("cpu");
registerFastCpuConvKernels();
registerFastCpuMatMulKernel();

const cfg = parseConfig(fanoganSchema, {}, "fanogan");
const [b, s, ch] = [16, 64, 4];
const m = new Fanogan(cfg, [s, s, ch], 0);
const images = tf.randomUniform([b, s, s, ch], 0, 1, "float32", 1);
const signed = tf.sub(tf.mul(images, 2), 1);
const foreground = tf.ones([b, s, s, 1]);
const z = () => tf.randomNormal([b, cfg.latentDim], 0, 1, "float32", 2);
const adam = { beta1: cfg.ganBeta1, beta2: cfg.ganBeta2 };
const dOpt = new Adam(m.critic.params.list(), adam);
const gOpt = new Adam(m.generator.params.list(), adam);
const eOpt = new Adam(m.encoder.params.list());
const alpha = tf.randomUniform([b, 1, 1, 1], 0, 1, "float32", 3);
const critic = (x: tf.Tensor) => m.critic.score(x);

Deno.bench(`critic step (WGAN-GP, λ=${cfg.lambda}), width ${cfg.width}, ${s}×${s}×${ch}, batch ${b}`, {
  n: 10,
  warmup: 2,
}, () => {
  const fake = tf.tidy(() => m.generator.apply(z(), true));
  dOpt.step(() => criticLoss(critic, signed, fake, alpha, cfg.lambda), cfg.ganLr).loss.dispose();
  fake.dispose();
});

Deno.bench(`generator step, width ${cfg.width}, ${s}×${s}×${ch}, batch ${b}`, { n: 10, warmup: 2 }, () => {
  const latents = z();
  gOpt.step(() => generatorLoss(critic, m.generator.apply(latents, true)), cfg.ganLr).loss.dispose();
  latents.dispose();
});

Deno.bench(
  `encoder step (izi_f), width ${cfg.width}, ${s}×${s}×${ch}, batch ${b}`,
  { n: 10, warmup: 2 },
  () => {
    const nets = {
      encode: (x: tf.Tensor) => m.encoder.apply(x),
      generate: (l: tf.Tensor) => m.generator.apply(l, false),
      features: (x: tf.Tensor) => m.critic.apply(x).features,
    };
    eOpt.step(() => izifLoss(nets, signed, cfg.kappa), cfg.encoderLr).loss.dispose();
  },
);

Deno.bench(`score ${b} slices, width ${cfg.width}, ${s}×${s}×${ch}`, { n: 10, warmup: 2 }, async () => {
  (await m.score({ images, foreground })).dispose();
});

/**
 * The izi_f encoder loss of f-AnoGAN (Schlegl et al. 2019): image residual plus the residual of
 * the critic's last feature layer, G and D frozen.
 * @module
 */
import { tf } from "../../core/mod.ts";

/** The three networks the loss chains, as functions. */
export interface IzifNetworks {
  /** E: images → z. */
  readonly encode: (x: tf.Tensor) => tf.Tensor;
  /** G in evaluation mode: z → images. */
  readonly generate: (z: tf.Tensor) => tf.Tensor;
  /** f: images → the critic's last feature layer [B, F]. */
  readonly features: (x: tf.Tensor) => tf.Tensor;
}

/** MSE(x, G(E(x))) + κ·MSE(f(x), f(G(E(x)))) for images `x` in [−1, 1]. */
export function izifLoss(nets: IzifNetworks, x: tf.Tensor, kappa: number): tf.Scalar {
  return tf.tidy(() => {
    const recon = nets.generate(nets.encode(x));
    const image = tf.mean(tf.squaredDifference(x, recon));
    const features = tf.mean(tf.squaredDifference(nets.features(x), nets.features(recon)));
    return tf.add(image, tf.mul(features, kappa)) as tf.Scalar;
  });
}

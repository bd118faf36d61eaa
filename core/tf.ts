/**
 * The one place the project imports TensorFlow.js. Model code imports `tf` from here so that
 * gradients and the cpu backend are always registered, whatever backend is chosen later.
 *
 * @example
 * ```ts
 * import { tf } from "./tf.ts";
 * const y = tf.add(tf.scalar(1), tf.scalar(2));
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's ESM gradient files use extensionless imports that Deno cannot resolve; the union
// package's node bundle registers every gradient against this same core instance.
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";

// Silences the "install tfjs-node" banner the cpu backend prints under Deno.
tf.env().set("IS_TEST", true);

export { tf };

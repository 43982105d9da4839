/**
 * The Open Inference Protocol (V2) on the gateway: each MoE layer as a model, requests decoded and checked, run
 * through the same Infer-stream pipeline as {@code moe.v1}, and answered with raw outputs.
 */
package io.moestream.gateway.oip;

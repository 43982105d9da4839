/** Hugging Face MoE checkpoints: config.json, expert and gate tensors, and a seeded model generator. */
package io.moestream.core.model;

package io.moestream.core.model;

import io.moestream.core.io.Mxfp4;
import io.moestream.core.kernel.ExpertBiases;
import io.moestream.core.model.ModelFamily.FusedProjection;
import io.moestream.core.model.ModelFamily.Mxfp4Part;
import io.moestream.core.tensor.Matrix;
import java.util.Arrays;
import java.util.Optional;

/**
 * One routed expert of GPT-OSS or Llama-4, whose experts are stored fused and input-major: {@code gate_up_proj
 * [E, d_model, 2·d_ff]} (computed as {@code x · gate_up_proj[e]}) and {@code down_proj [E, d_ff, d_model]}, or, for
 * GPT-OSS's MXFP4 checkpoints, their packed {@code _blocks}/{@code _scales} stored output-major ({@code [E, 2·d_ff,
 * d_model/32, 16]}, {@code [E, d_model, d_ff/32, 16]}; Hugging Face transposes after dequantizing). Only the expert's
 * bytes are read. The gate and up columns are split here, interleaved (GPT-OSS: gate the even ones, up the odd ones)
 * or halves (Llama-4: gate first), together with GPT-OSS's biases.
 */
final class InputMajorExperts {
    private static final String OUTPUT_MAJOR = "the output-major fused layout, which gpt_oss and llama4_text do not use";

    private InputMajorExperts() {
    }

    static ExpertWeights expert(MoeModel model, int layer, int expert) {
        MoeConfig config = model.config();
        ModelFamily family = config.family();
        int dFf = config.dFf();
        int dModel = config.dModel();
        // gate_up: (2·d_ff, d_model) and down: (d_model, d_ff), output-major as the kernels take them
        Matrix gateUp;
        Matrix down;
        if (model.contains(family.mxfp4Tensor(layer, FusedProjection.GATE_UP, Mxfp4Part.BLOCKS))) {
            gateUp = mxfp4(model, layer, expert, FusedProjection.GATE_UP, 2 * dFf, dModel);
            down = mxfp4(model, layer, expert, FusedProjection.DOWN, dModel, dFf);
        } else {
            String gateUpName = family.fusedExpertTensor(layer, FusedProjection.GATE_UP);
            String downName = family.fusedExpertTensor(layer, FusedProjection.DOWN);
            int experts = config.numExperts();
            model.checkShape(gateUpName, new long[] {experts, dModel, 2L * dFf}, new long[] {experts, 2L * dFf, dModel},
                    OUTPUT_MAJOR);
            model.checkShape(downName, new long[] {experts, dFf, dModel}, new long[] {experts, dModel, dFf}, OUTPUT_MAJOR);
            gateUp = model.slice(gateUpName, expert, 0, dModel).transpose();
            down = model.slice(downName, expert, 0, dFf).transpose();
        }
        boolean interleaved = family.interleavedGateUp();
        Optional<ExpertBiases> biases = family.hasExpertBiases()
                ? Optional.of(biases(model, layer, expert, interleaved))
                : Optional.empty();
        return new ExpertWeights(gateOrUpRows(gateUp, 0, interleaved), down, gateOrUpRows(gateUp, 1, interleaved),
                biases, config.activation());
    }

    /** The gate ({@code part} 0) or up (1) rows of {@code gateUp [2·d_ff, d_model]}: alternate rows, or a half. */
    private static Matrix gateOrUpRows(Matrix gateUp, int part, boolean interleaved) {
        int dFf = gateUp.rows() / 2;
        int[] rows = new int[dFf];
        Arrays.setAll(rows, j -> interleaved ? 2 * j + part : part * dFf + j);
        return gateUp.gatherRows(rows);
    }

    private static ExpertBiases biases(MoeModel model, int layer, int expert, boolean interleaved) {
        MoeConfig config = model.config();
        ModelFamily family = config.family();
        String gateUpName = family.fusedExpertBiasTensor(layer, FusedProjection.GATE_UP);
        String downName = family.fusedExpertBiasTensor(layer, FusedProjection.DOWN);
        checkShape(model, gateUpName, config.numExperts(), 2L * config.dFf());
        checkShape(model, downName, config.numExperts(), config.dModel());
        // gate_up_bias: (1, 2·d_ff), ordered as gate_up's columns
        Matrix gateUp = model.row(gateUpName, expert);
        Matrix asColumn = new Matrix(gateUp.cols(), 1, gateUp.data());
        return new ExpertBiases(gateOrUpRows(asColumn, 0, interleaved).data(), gateOrUpRows(asColumn, 1, interleaved).data(),
                model.row(downName, expert).data());
    }

    /** Expert {@code expert}'s {@code [rows, cols]} weight dequantized from its MXFP4 blocks and scales. */
    private static Matrix mxfp4(MoeModel model, int layer, int expert, FusedProjection projection, int rows, int cols) {
        ModelFamily family = model.config().family();
        String blocks = family.mxfp4Tensor(layer, projection, Mxfp4Part.BLOCKS);
        String scales = family.mxfp4Tensor(layer, projection, Mxfp4Part.SCALES);
        int experts = model.config().numExperts();
        if (cols % Mxfp4.BLOCK != 0) {
            throw new IllegalArgumentException(blocks + ": an MXFP4 weight needs its input size " + cols
                    + " to be a multiple of " + Mxfp4.BLOCK + " in " + model.dir());
        }
        long groups = cols / Mxfp4.BLOCK;
        model.checkShape(blocks, new long[] {experts, rows, groups, Mxfp4.BLOCK / 2});
        model.checkShape(scales, new long[] {experts, rows, groups});
        return Mxfp4.dequantize(model.bytes(blocks, expert), model.bytes(scales, expert), rows, cols);
    }

    private static void checkShape(MoeModel model, String name, long experts, long length) {
        long[] shape = model.shape(name);
        if (!Arrays.equals(shape, new long[] {experts, length})) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape) + " but "
                    + MoeConfig.CONFIG_FILE + " implies " + Arrays.toString(new long[] {experts, length}) + " in "
                    + model.dir());
        }
    }
}

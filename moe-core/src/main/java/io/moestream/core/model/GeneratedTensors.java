package io.moestream.core.model;

import io.moestream.core.io.Mxfp4;
import io.moestream.core.io.SafetensorsWriter.TensorHeader;
import io.moestream.core.model.ModelFamily.FusedProjection;
import io.moestream.core.model.ModelFamily.Mxfp4Part;
import io.moestream.core.model.ModelFamily.SwiGluProjection;
import io.moestream.core.model.ModelGenerator.ExpertLayout;
import io.moestream.core.tensor.Matrix;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** What {@link ModelGenerator} writes: the tensors of a model of one family and layout, and how each is drawn. */
final class GeneratedTensors {
    /** Standard deviation of GPT-OSS's gate and up values for unit-variance inputs: |z| > 7 is 2 sigma, about 5%. */
    static final double GPT_OSS_GATE_UP_SCALE = 3.5;

    private GeneratedTensors() {
    }

    /**
     * The Gaussian scale of tensor {@code name}: {@code 1/sqrt(fan_in)}, fan_in the rows of an input-major expert
     * weight and the columns of the others; GPT-OSS's gate_up times {@link #GPT_OSS_GATE_UP_SCALE}.
     */
    static double scale(MoeConfig config, String name, TensorHeader header) {
        boolean inputMajor = config.family().inputMajorExperts()
                && (name.endsWith("experts.gate_up_proj") || name.endsWith("experts.down_proj"));
        double scale = 1.0 / Math.sqrt(inputMajor ? header.rows() : header.cols());
        return config.family() == ModelFamily.GPT_OSS && name.endsWith("experts.gate_up_proj")
                ? scale * GPT_OSS_GATE_UP_SCALE
                : scale;
    }

    /**
     * The input-major weight {@code name} ({@code gate_up_proj [E, H, 2I]} or {@code down_proj [E, I, H]}) drawn as
     * the float layout draws it, each expert transposed to output-major and packed as MXFP4, experts in order.
     */
    static Mxfp4.Packed packInputMajor(MoeConfig c, String name, long seed) {
        boolean gateUp = name.endsWith("gate_up_proj");
        int in = gateUp ? c.dModel() : c.dFf();
        int out = gateUp ? 2 * c.dFf() : c.dModel();
        TensorHeader header = TensorHeader.stacked(name, c.numExperts(), in, out);
        Matrix stacked = gaussian(header, seed, scale(c, name, header));
        ByteArrayOutputStream blocks = new ByteArrayOutputStream();
        ByteArrayOutputStream scales = new ByteArrayOutputStream();
        for (int e = 0; e < c.numExperts(); e++) {
            float[] expert = Arrays.copyOfRange(stacked.data(), e * in * out, (e + 1) * in * out);
            Mxfp4.Packed one = Mxfp4.quantize(new Matrix(in, out, expert).transpose());
            blocks.writeBytes(one.blocks());
            scales.writeBytes(one.scales());
        }
        return new Mxfp4.Packed(blocks.toByteArray(), scales.toByteArray());
    }

    /** The tensors of a model of config {@code c} with its routed experts in {@code layout}, in file order. */
    static List<TensorHeader> tensorHeaders(MoeConfig c, ExpertLayout layout) {
        List<TensorHeader> headers = new ArrayList<>();
        ModelFamily family = c.family();
        for (int layer = 0; layer < c.numLayers(); layer++) {
            headers.add(new TensorHeader(family.gateTensor(layer), c.numExperts(), c.dModel()));
            if (family.hasCorrectionBias()) {
                headers.add(TensorHeader.vector(family.correctionBiasTensor(layer), c.numExperts()));
            }
            if (family.hasRouterBias()) {
                headers.add(TensorHeader.vector(family.routerBiasTensor(layer), c.numExperts()));
            }
            if (family.inputMajorExperts()) {
                headers.addAll(inputMajorExpertHeaders(c, layer, layout == ExpertLayout.MXFP4));
            } else if (layout == ExpertLayout.FUSED) {
                headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.GATE_UP), c.numExperts(),
                        2 * c.dFf(), c.dModel()));
                headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.DOWN), c.numExperts(),
                        c.dModel(), c.dFf()));
            }
            for (int e = 0; e < c.numExperts() && layout == ExpertLayout.PER_EXPERT && !family.inputMajorExperts(); e++) {
                headers.add(new TensorHeader(family.expertTensor(layer, e, SwiGluProjection.GATE), c.dFf(), c.dModel()));
                headers.add(new TensorHeader(family.expertTensor(layer, e, SwiGluProjection.DOWN), c.dModel(), c.dFf()));
                headers.add(new TensorHeader(family.expertTensor(layer, e, SwiGluProjection.UP), c.dFf(), c.dModel()));
            }
            if (family.hasSharedExpert()) {
                int dFf = c.sharedExpertDFf();
                headers.add(new TensorHeader(family.sharedExpertTensor(layer, SwiGluProjection.GATE), dFf, c.dModel()));
                headers.add(new TensorHeader(family.sharedExpertTensor(layer, SwiGluProjection.DOWN), c.dModel(), dFf));
                headers.add(new TensorHeader(family.sharedExpertTensor(layer, SwiGluProjection.UP), dFf, c.dModel()));
            }
            if (family.sharedExpertGated()) {
                headers.add(new TensorHeader(family.sharedExpertGateTensor(layer), 1, c.dModel()));
            }
        }
        return headers;
    }

    /**
     * {@code gate_up_proj [E, H, 2I]} and {@code down_proj [E, I, H]}, or their MXFP4 blocks and scales (output-major),
     * and GPT-OSS's biases {@code [E, 2I]}, {@code [E, H]}.
     */
    static List<TensorHeader> inputMajorExpertHeaders(MoeConfig c, int layer, boolean mxfp4) {
        ModelFamily family = c.family();
        List<TensorHeader> headers = new ArrayList<>();
        int experts = c.numExperts();
        if (mxfp4) {
            for (FusedProjection projection : FusedProjection.values()) {
                long out = projection == FusedProjection.GATE_UP ? 2L * c.dFf() : c.dModel();
                long groups = (projection == FusedProjection.GATE_UP ? c.dModel() : c.dFf()) / Mxfp4.BLOCK;
                headers.add(TensorHeader.u8(family.mxfp4Tensor(layer, projection, Mxfp4Part.BLOCKS), experts, out, groups,
                        Mxfp4.BLOCK / 2));
                headers.add(TensorHeader.u8(family.mxfp4Tensor(layer, projection, Mxfp4Part.SCALES), experts, out, groups));
            }
        } else {
            headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.GATE_UP), experts,
                    c.dModel(), 2 * c.dFf()));
            headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.DOWN), experts,
                    c.dFf(), c.dModel()));
        }
        if (family.hasExpertBiases()) {
            headers.add(new TensorHeader(family.fusedExpertBiasTensor(layer, FusedProjection.GATE_UP), c.numExperts(),
                    2 * c.dFf()));
            headers.add(new TensorHeader(family.fusedExpertBiasTensor(layer, FusedProjection.DOWN), c.numExperts(),
                    c.dModel()));
        }
        return headers;
    }

    static Matrix scaleRow(Matrix m, int row, float factor) {
        float[] data = m.data();
        for (int c = 0; c < m.cols(); c++) {
            data[row * m.cols() + c] *= factor;
        }
        return m;
    }

    /** The tensor's data {@code [dataRows, cols]}, Gaussian times {@code scale}. */
    static Matrix gaussian(TensorHeader h, long seed, double scale) {
        return Matrix.gaussian(h.dataRows(), h.cols(), new Random(seed), scale);
    }
}

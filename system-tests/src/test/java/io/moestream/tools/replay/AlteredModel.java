package io.moestream.tools.replay;

import io.moestream.core.io.SafetensorsWriter;
import io.moestream.core.io.TensorStore;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelFamily.SwiGluProjection;
import io.moestream.core.model.MoeConfig;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A copy of a one-layer Mixtral-layout model in which one expert's down projection is scaled: a "new expert build". */
final class AlteredModel {
    private AlteredModel() {
    }

    static void copyWithScaledExpert(Path source, Path target, int expert, float factor) throws IOException {
        Files.createDirectories(target);
        Files.copy(source.resolve(MoeConfig.CONFIG_FILE), target.resolve(MoeConfig.CONFIG_FILE));
        MoeConfig config = MoeConfig.read(source);
        ModelFamily family = config.family();
        Map<String, Matrix> tensors = new HashMap<>();
        try (TensorStore store = TensorStore.open(source)) {
            tensors.put(family.gateTensor(0), store.matrix(family.gateTensor(0)));
            for (int e = 0; e < config.numExperts(); e++) {
                for (SwiGluProjection p : SwiGluProjection.values()) {
                    String name = family.expertTensor(0, e, p);
                    Matrix m = store.matrix(name);
                    if (e == expert && p == SwiGluProjection.DOWN) {
                        float[] scaled = m.data().clone();
                        for (int i = 0; i < scaled.length; i++) {
                            scaled[i] *= factor;
                        }
                        m = new Matrix(m.rows(), m.cols(), scaled);
                    }
                    tensors.put(name, m);
                }
            }
        }
        SafetensorsWriter.write(target.resolve(TensorStore.SINGLE_FILE), tensors, DType.FP32);
    }
}

package io.moestream.tools.bench;

import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import io.moestream.tools.client.GatewayClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Item 5a of the bench: the pipeline at saturation. The tokens are split over a few concurrent streams, each of
 * which keeps as many chunks in flight as the gateway allows, and the wall time from the first chunk sent to the
 * last output received gives the throughput. The output is kept for the check against the reference layer.
 */
public final class PipelineThroughput {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** One run: its rate and what came back, in input order. */
    public record Run(double tokensPerSecond, Matrix output) {
    }

    private PipelineThroughput() {
    }

    public static Run run(GatewayClient client, Matrix x, int chunkRows, DType dtype, int streams, String runId)
            throws InterruptedException, ExecutionException {
        List<Matrix> parts = split(x, streams);
        ExecutorService senders = Executors.newFixedThreadPool(parts.size());
        try {
            long start = System.nanoTime();
            List<Future<Matrix>> outputs = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                Matrix part = parts.get(i);
                String requestId = runId + "-" + i;
                outputs.add(senders.submit(() -> client.infer(requestId, 0, part, chunkRows, dtype, TIMEOUT)));
            }
            float[] y = new float[x.data().length];
            int offset = 0;
            for (Future<Matrix> output : outputs) {
                float[] part = output.get().data();
                System.arraycopy(part, 0, y, offset, part.length);
                offset += part.length;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Run(x.rows() / seconds, new Matrix(x.rows(), x.cols(), y));
        } finally {
            senders.shutdownNow();
        }
    }

    /** Consecutive, nearly equal row ranges of {@code x}, one per stream. */
    private static List<Matrix> split(Matrix x, int streams) {
        int count = Math.min(streams, x.rows());
        List<Matrix> parts = new ArrayList<>(count);
        int from = 0;
        for (int i = 0; i < count; i++) {
            int rows = (x.rows() - from) / (count - i);
            parts.add(x.rowRange(from, rows));
            from += rows;
        }
        return parts;
    }
}

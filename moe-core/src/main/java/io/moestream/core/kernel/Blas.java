package io.moestream.core.kernel;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.jboss.logging.Logger;

/**
 * The one home of OpenBLAS calls. Loads the library and sets its thread count once, from the system
 * property {@value #THREADS_PROPERTY}, else the environment variable {@value #THREADS_ENVIRONMENT} (the name
 * MicroProfile Config gives the key, as for the services' mapped keys; default: the available processors). Every product here has the
 * form {@code C[m, n] = A[m, k] · B[n, k]ᵀ} in row-major order, because weights are stored as
 * {@code [out, in]} (PyTorch's {@code nn.Linear} layout).
 */
public final class Blas {
    /** System property: OpenBLAS worker threads. */
    public static final String THREADS_PROPERTY = "moe.blas.threads";
    /** Environment variable: OpenBLAS worker threads when the system property is not set. */
    public static final String THREADS_ENVIRONMENT = "MOE_BLAS_THREADS";

    private static final Logger LOG = Logger.getLogger(Blas.class);
    private static final int THREADS = initialise();

    private Blas() {
    }

    /** The thread count OpenBLAS runs with. */
    public static int threads() {
        return THREADS;
    }

    /** {@code c[m, n] = a[m, k] · b[n, k]ᵀ} on off-heap buffers. */
    public static void multiplyTransposed(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
        openblas.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, a, k, b, k, 0f, c, n);
    }

    /** As above, with the rows of {@code a} {@code lda >= k} floats apart (a view of the first k columns of a wider matrix). */
    public static void multiplyTransposed(int m, int n, int k, FloatPointer a, int lda, FloatPointer b, FloatPointer c) {
        openblas.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, a, lda, b, k, 0f, c, n);
    }

    /** {@code c[m, n] = a[m, k] · b[n, k]ᵀ} on heap arrays (fine for small operands such as the router's). */
    public static void multiplyTransposed(int m, int n, int k, float[] a, float[] b, float[] c) {
        openblas.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, a, k, b, k, 0f, c, n);
    }

    private static int initialise() {
        // read before (and without) any service configuration: the kernels are moe-core's, framework-free
        String configured = System.getProperty(THREADS_PROPERTY, System.getenv(THREADS_ENVIRONMENT));
        int threads = configured == null ? Runtime.getRuntime().availableProcessors() : parseThreads(configured);
        Loader.load(openblas.class);
        openblas.blas_set_num_threads(threads);
        // OpenBLAS caps the count at the thread limit it was built with
        int effective = openblas.blas_get_num_threads();
        LOG.infof("OpenBLAS ready with %d threads (%s asked for %d)", effective, THREADS_PROPERTY, threads);
        return effective;
    }

    private static int parseThreads(String configured) {
        String problem = THREADS_PROPERTY + " must be a positive integer, got '" + configured + "'";
        try {
            int threads = Integer.parseInt(configured.strip());
            if (threads < 1) {
                throw new IllegalArgumentException(problem);
            }
            return threads;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(problem, e);
        }
    }
}

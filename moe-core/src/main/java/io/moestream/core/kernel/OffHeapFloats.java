package io.moestream.core.kernel;

import org.bytedeco.javacpp.FloatPointer;

/** An off-heap float buffer that grows to the largest size asked for and is freed by {@link #close()}. */
final class OffHeapFloats implements AutoCloseable {
    private FloatPointer pointer;
    private long capacity;

    /** A buffer of at least {@code size} floats; contents are not kept across growth. */
    FloatPointer ensure(long size) {
        if (size > capacity) {
            close();
            pointer = new FloatPointer(size);
            capacity = size;
        }
        return pointer;
    }

    /** Copies {@code length} floats of {@code source} to the start of a buffer of at least that size. */
    FloatPointer fill(float[] source, int length) {
        FloatPointer target = ensure(length);
        target.position(0).put(source, 0, length);
        return target;
    }

    @Override
    public void close() {
        if (pointer != null) {
            pointer.deallocate();
            pointer = null;
            capacity = 0;
        }
    }
}

package io.moestream.router.load;

import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;

/** Told of every closed window and every alert this router replica produces: its metrics and its live page. */
public interface LoadListener {

    void windowClosed(ExpertLoad window);

    void alert(LoadAlert alert);

    /** A listener that tells each of {@code listeners} in turn. */
    static LoadListener all(LoadListener... listeners) {
        return new LoadListener() {
            @Override
            public void windowClosed(ExpertLoad window) {
                for (LoadListener l : listeners) {
                    l.windowClosed(window);
                }
            }

            @Override
            public void alert(LoadAlert alert) {
                for (LoadListener l : listeners) {
                    l.alert(alert);
                }
            }
        };
    }
}

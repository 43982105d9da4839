package io.moestream.router.live;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.Consumer;

/**
 * {@code GET /load/events}: the {@link LoadBoard}'s snapshots as server-sent events, one {@code data:} line each. The
 * page itself, {@code /load.html}, is a static resource. Plain Vert.x routes on Quarkus' HTTP server: no extra extension.
 */
@ApplicationScoped
public class LoadPageRoutes {
    private final LoadBoard board;

    LoadPageRoutes(LoadBoard board) {
        this.board = board;
    }

    void register(@Observes Router router) {
        router.get("/load/events").handler(ctx -> {
            HttpServerResponse response = ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
            // Vert.x hands writes from the stream thread over to the connection's event loop
            Consumer<String> subscriber = json -> {
                if (!response.closed()) {
                    response.write("data: " + json + "\n\n");
                }
            };
            response.closeHandler(v -> board.unsubscribe(subscriber));
            board.subscribe(subscriber);
        });
    }
}

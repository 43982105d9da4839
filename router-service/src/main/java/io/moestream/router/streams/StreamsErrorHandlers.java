package io.moestream.router.streams;

import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

/**
 * Every Kafka Streams error hook of the router in one place. Expected bad input never gets here (the
 * topology turns it into dead letters); these catch the unexpected: a record that fails in a way the
 * topology did not foresee is logged and skipped so one poison record cannot stop the router, and a
 * stream thread that dies is replaced. Kafka Streams instantiates the record handlers from the
 * {@code kafka-streams.*.exception.handler} keys; Quarkus picks up the bean as the uncaught-exception handler.
 */
@Singleton
public class StreamsErrorHandlers implements DeserializationExceptionHandler, ProcessingExceptionHandler,
        ProductionExceptionHandler, StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StreamsErrorHandlers.class);

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure: the handlers always log and continue
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        LOG.errorf(exception, "skipping a record that could not be deserialized at %s", where(context));
        return DeserializationHandlerResponse.CONTINUE;
    }

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.errorf(exception, "skipping a record that failed in processor %s at %s", context.processorNodeId(), where(context));
        return ProcessingHandlerResponse.CONTINUE;
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        LOG.errorf(exception, "could not write a record to %s (from %s); it is skipped and its chunk will time out at the gateway",
                record.topic(), where(context));
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context, ProducerRecord record,
                                                                           Exception exception,
                                                                           SerializationExceptionOrigin origin) {
        LOG.errorf(exception, "could not serialize the %s of a record for %s (from %s); it is skipped",
                origin, record.topic(), where(context));
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        LOG.error("a router stream thread died; replacing it", exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static String where(ErrorHandlerContext context) {
        return context.topic() + "-" + context.partition() + "@" + context.offset();
    }
}

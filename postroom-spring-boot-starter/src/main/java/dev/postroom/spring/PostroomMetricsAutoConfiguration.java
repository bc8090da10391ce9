package dev.postroom.spring;

import dev.postroom.Postroom;
import dev.postroom.micrometer.PostroomMeters;
import dev.postroom.store.StoredQueue;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Postroom's meters ({@link PostroomMeters}: per-queue counters, timers and gauges) on the
 * application's {@link MeterRegistry}, when there is one. The meters are a {@code MessageListener}
 * bean, so the auto-configured Postroom hears with them from its first send; once every bean
 * exists they are attached to it, and every queue the store has gets its gauges.
 */
@AutoConfiguration(after = PostroomAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, PostroomMeters.class})
@ConditionalOnBean({MeterRegistry.class, Postroom.class})
public class PostroomMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PostroomMeters postroomMeters(MeterRegistry registry) {
        return new PostroomMeters(registry);
    }

    @Bean
    SmartInitializingSingleton postroomMetersAttachment(PostroomMeters meters, Postroom postroom) {
        return () -> {
            meters.attach(postroom);
            postroom.store().queues().stream().map(StoredQueue::name).forEach(meters::registerQueue);
        };
    }
}

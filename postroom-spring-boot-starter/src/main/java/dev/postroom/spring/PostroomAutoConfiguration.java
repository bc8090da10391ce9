package dev.postroom.spring;

import dev.postroom.InvalidMessageException;
import dev.postroom.MessageListener;
import dev.postroom.Postroom;
import dev.postroom.store.MessageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;

/**
 * Postroom in a Spring Boot application: the store ({@code postroom.store}: the embedded SQLite
 * store, or PostgreSQL on the application's {@code DataSource}), the {@link Postroom} with the
 * queues of {@code postroom.queues} and of {@link PostroomQueue} beans, and the
 * {@link PostroomLifecycle} that starts its handlers with the context and stops it gracefully.
 *
 * <p>Each bean backs off when the application defines its own. Extension points: {@code
 * MessageListener} beans hear every state change; {@link PostroomBuilderCustomizer} beans adjust
 * the builder; {@link PostroomConfigurer} beans run at start (handlers). Off with
 * {@code postroom.enabled=false}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = "postroom.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PostroomProperties.class)
public class PostroomAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(PostroomAutoConfiguration.class);

    /** The store of {@code postroom.store}; closed by the context, after Postroom. */
    @Bean
    @ConditionalOnMissingBean
    MessageStore postroomStore(PostroomProperties properties, ObjectProvider<DataSource> dataSources) {
        return PostroomStores.open(properties, dataSources, PostroomAutoConfiguration.class.getClassLoader());
    }

    /**
     * Postroom on the store, with the application's listeners and customizers, and its queues
     * declared: ready for sends as soon as the bean exists. The store stays open when Postroom
     * closes; the context closes it afterwards.
     */
    @Bean
    @ConditionalOnMissingBean
    Postroom postroom(MessageStore store, PostroomProperties properties, ObjectProvider<MessageListener> listeners,
                      ObjectProvider<PostroomBuilderCustomizer> customizers, ObjectProvider<PostroomQueue> queues) {
        Postroom.Builder builder = Postroom.builder()
                .store(store)
                .closeStore(false)
                .shutdownTimeout(properties.getShutdownTimeout())
                .listener(MessageListeners.of(listeners.orderedStream().toList()));
        if (properties.getNode() != null) {
            try {
                builder.node(properties.getNode());
            } catch (InvalidMessageException e) {
                throw new PostroomPropertyException("postroom.node", properties.getNode(), e.getMessage(),
                        "Name the node with letters, digits, '.', '_' and '-', or leave postroom.node unset for host-pid.", e);
            }
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        Postroom postroom = builder.build();
        try {
            QueueDeclarations.declare(postroom, queues.orderedStream().toList(), properties.getQueues());
        } catch (RuntimeException e) {
            postroom.close();
            throw e;
        }
        log.info("postroom configured store={} node={} queues={} shutdownTimeout={}", properties.getStore(), postroom.node(),
                properties.getQueues().keySet(), properties.getShutdownTimeout());
        return postroom;
    }

    @Bean
    @ConditionalOnMissingBean
    PostroomLifecycle postroomLifecycle(Postroom postroom, ObjectProvider<PostroomConfigurer> configurers) {
        return new PostroomLifecycle(postroom, configurers.orderedStream().toList());
    }
}

package dev.postroom.spring;

import dev.postroom.InvalidMessageException;
import dev.postroom.MessageListener;
import dev.postroom.Postroom;
import dev.postroom.store.MessageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

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
@AutoConfiguration(afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"})
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
                .nonRetryable(properties.getNonRetryableExceptions().toArray(Class[]::new))
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

    /** Finds {@link PostroomListener} methods; static, so that it sees every bean the context makes. */
    @Bean
    static PostroomListenerRegistrar postroomListenerRegistrar() {
        return new PostroomListenerRegistrar();
    }

    /** Registers the listeners found when the context starts, after the beans they use are ready. */
    @Bean
    PostroomConfigurer postroomListeners(PostroomListenerRegistrar registrar) {
        return registrar::start;
    }

    /**
     * Sends that take part in Spring transactions; on PostgreSQL they join the application's
     * transactions on the DataSource the store uses.
     */
    @Bean
    @ConditionalOnMissingBean
    PostroomTemplate postroomTemplate(Postroom postroom, PostroomProperties properties, ObjectProvider<DataSource> dataSources) {
        DataSource shared = properties.getStore() == PostroomProperties.StoreType.POSTGRES ? dataSources.getIfUnique() : null;
        return new PostroomTemplate(postroom, shared);
    }

    @Bean
    @ConditionalOnMissingBean
    PostroomLifecycle postroomLifecycle(Postroom postroom, ObjectProvider<PostroomConfigurer> configurers) {
        return new PostroomLifecycle(postroom, configurers.orderedStream().toList());
    }

    /**
     * Payloads and results through the application's Jackson 3 {@code JsonMapper} (Spring Boot 4's),
     * so that they follow its modules and settings; without one, Postroom's own Jackson 2 mapper.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    static class Jackson3Payloads {
        @Bean
        @ConditionalOnBean(type = "tools.jackson.databind.json.JsonMapper")
        PostroomBuilderCustomizer postroomJackson3Payloads(JsonMapper mapper) {
            return builder -> builder.payloadCodec(new Jackson3PayloadCodec(mapper));
        }
    }
}

package dev.postroom.spring;

import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueuePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringValueResolver;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds the {@link PostroomListener} methods of every bean as the context creates them, and
 * registers them with Postroom when the application starts, so that no message is handled before
 * the beans a listener uses are ready.
 */
public class PostroomListenerRegistrar implements BeanPostProcessor, EmbeddedValueResolverAware {
    private static final Logger log = LoggerFactory.getLogger(PostroomListenerRegistrar.class);
    private final Map<String, ListenerMethod> listeners = new LinkedHashMap<>();
    private StringValueResolver placeholders;

    @Override
    public void setEmbeddedValueResolver(StringValueResolver resolver) {
        this.placeholders = resolver;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        Map<Method, PostroomListener> annotated = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<PostroomListener>) method ->
                        AnnotatedElementUtils.findMergedAnnotation(method, PostroomListener.class));
        annotated.forEach((method, annotation) -> add(bean, AopUtils.selectInvocableMethod(method, bean.getClass()), annotation));
        return bean;
    }

    private synchronized void add(Object bean, Method method, PostroomListener annotation) {
        String queue = placeholders == null ? annotation.queue() : placeholders.resolveStringValue(annotation.queue());
        ListenerMethod listener = ListenerMethod.of(bean, method, queue);
        ListenerMethod other = listeners.putIfAbsent(queue, listener);
        if (other != null) {
            throw new IllegalStateException("queue " + queue + " has two @PostroomListener methods, " + other.describe()
                    + " and " + listener.describe() + "; a queue has one listener");
        }
    }

    /** The listeners found, in the order their beans were created. */
    public synchronized List<String> queues() {
        return List.copyOf(listeners.keySet());
    }

    /**
     * Starts every listener: creates its queue with the default policy when it does not exist
     * (queues declared in {@code postroom.queues} exist by then), and registers its handler. An
     * existing queue keeps its policy: an operator may have tuned it.
     */
    public synchronized void start(Postroom postroom) {
        Set<String> existing = postroom.queues().stream().map(QueueInfo::name).collect(Collectors.toSet());
        for (ListenerMethod listener : listeners.values()) {
            if (!existing.contains(listener.queue())) {
                postroom.createQueue(listener.queue(), QueuePolicy.DEFAULT);
                log.info("created queue {} with the default policy for listener {}", listener.queue(), listener.describe());
            }
            postroom.handle(listener.queue(), listener.payloadType(), listener.handler());
        }
    }
}

package dev.postroom.spring;

import dev.postroom.Delivery;
import dev.postroom.Handler;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.function.Function;

/**
 * One {@link PostroomListener} method, read once at start-up: how each parameter is filled from a
 * {@link Delivery}, and the payload type. Mistakes in the signature fail start-up, naming the method.
 */
final class ListenerMethod {
    private final Object bean;
    private final Method method;
    private final String queue;
    private final Type payloadType;
    private final Function<Delivery<Object>, Object>[] arguments;

    @SuppressWarnings("unchecked")
    private ListenerMethod(Object bean, Method method, String queue) {
        this.bean = bean;
        this.method = method;
        this.queue = queue;
        int count = method.getParameterCount();
        this.arguments = new Function[count];
        Type payload = null;
        Type deliveryType = null;
        for (int i = 0; i < count; i++) {
            MethodParameter parameter = new MethodParameter(method, i);
            PostroomHeader header = parameter.getParameterAnnotation(PostroomHeader.class);
            if (header != null) {
                if (parameter.getParameterType() != String.class) {
                    throw invalid("@PostroomHeader(\"" + header.value() + "\") must annotate a String parameter, not "
                            + parameter.getParameterType().getSimpleName());
                }
                String name = header.value();
                arguments[i] = delivery -> delivery.headers().get(name);
            } else if (parameter.getParameterType() == Delivery.class) {
                deliveryType = typeOf(ResolvableType.forMethodParameter(parameter).getGeneric(0));
                arguments[i] = delivery -> delivery;
            } else if (payload == null) {
                payload = typeOf(ResolvableType.forMethodParameter(parameter));
                arguments[i] = Delivery::payload;
            } else {
                throw invalid("has more than one payload parameter (" + payload.getTypeName() + " and "
                        + parameter.getGenericParameterType().getTypeName()
                        + "); mark header parameters with @PostroomHeader, and take the rest from the Delivery");
            }
        }
        // Without either, or with a raw Delivery, the payload is read as plain JSON values (maps, lists).
        this.payloadType = payload != null ? payload : deliveryType != null ? deliveryType : Object.class;
        ReflectionUtils.makeAccessible(method);
    }

    /** Reads {@code method} of {@code bean} as the listener of {@code queue}. */
    static ListenerMethod of(Object bean, Method method, String queue) {
        return new ListenerMethod(bean, method, queue);
    }

    /** The type JSON is read into: the declared one, generics included, or Object when it names none. */
    private static Type typeOf(ResolvableType type) {
        if (type == ResolvableType.NONE || type.resolve() == null) {
            return Object.class;
        }
        return type.hasUnresolvableGenerics() ? type.resolve() : type.getType();
    }

    private IllegalStateException invalid(String problem) {
        return new IllegalStateException("@PostroomListener method " + describe() + " " + problem);
    }

    String queue() {
        return queue;
    }

    Type payloadType() {
        return payloadType;
    }

    /** The method as people write it: {@code Refunds.refund(Refund, Delivery)}. */
    String describe() {
        StringBuilder text = new StringBuilder(method.getDeclaringClass().getSimpleName()).append('.').append(method.getName()).append('(');
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            text.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
        }
        return text.append(')').toString();
    }

    /** The engine's handler: fills the parameters, calls the method, and passes its own exception on unwrapped. */
    Handler<Object> handler() {
        return delivery -> {
            Object[] args = new Object[arguments.length];
            for (int i = 0; i < args.length; i++) {
                args[i] = arguments[i].apply(delivery);
            }
            try {
                return method.invoke(bean, args); // null for a void method: no result
            } catch (InvocationTargetException e) {
                // The method's own exception, so that GiveUpException and the non-retryable types are seen as thrown.
                Throwable cause = e.getCause();
                if (cause instanceof Exception exception) {
                    throw exception;
                }
                throw (Error) cause;
            }
        };
    }
}

package dev.postroom.server.cli;

import dev.postroom.MessageState;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Locale;

/** Reads a message state as people type it: {@code dead}, {@code DEAD}, {@code in-flight} or {@code IN_FLIGHT}. */
final class StateConverter implements ITypeConverter<MessageState> {
    @Override
    public MessageState convert(String value) {
        String name = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(MessageState.values()).filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new TypeConversionException("'" + value
                        + "' is not a state; use scheduled, ready, in-flight, succeeded, dead or cancelled"));
    }
}

package dev.postroom.server.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * What the commands print, with control characters shown as visible escapes ({@code \u001b}
 * prints as the six characters {@code \u001b}). Headers, errors and progress notes come from
 * whoever sent the message: raw, an escape sequence in them could recolour, move the cursor or
 * retitle an operator's terminal, and a carriage return or a bidirectional override could make a
 * line read as something else. Line feeds and tabs pass, for the commands' own layout.
 */
final class TerminalSafeWriter extends FilterWriter {
    private TerminalSafeWriter(Writer target) {
        super(target);
    }

    /** {@code target}, printing through this filter. */
    static PrintWriter around(Writer target) {
        return new PrintWriter(new TerminalSafeWriter(target));
    }

    /** Whether {@code c} is printed as an escape: C0 and C1 controls but line feed and tab, DEL, and bidirectional controls. */
    static boolean escaped(char c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f';
    }

    @Override
    public void write(int c) throws IOException {
        if (escaped((char) c)) {
            out.write(String.format("\\u%04x", c));
        } else {
            out.write(c);
        }
    }

    @Override
    public void write(char[] text, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            write(text[i]);
        }
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            write(text.charAt(i));
        }
    }
}

package dev.postroom.server.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The layout of every table the CLI prints. */
class TableTest {

    private static String print(Table table) {
        StringWriter text = new StringWriter();
        table.print(new PrintWriter(text, true));
        return text.toString();
    }

    @Test
    void columnsAreAsWideAsTheirWidestCellAndTwoSpacesApart() {
        Table table = new Table().left("QUEUE").left("PAUSED").row("emails.announce", "no").row("q", "yes");

        assertThat(print(table)).isEqualTo("""
                QUEUE            PAUSED
                emails.announce  no
                q                yes
                """);
    }

    @Test
    void numberColumnsAlignRightUnderTheirHeader() {
        Table table = new Table().left("QUEUE").right("READY").right("DEAD").row("a", 3, 1200).row("b", 12345, 0);

        assertThat(print(table)).isEqualTo("""
                QUEUE  READY  DEAD
                a          3  1200
                b      12345     0
                """);
    }

    @Test
    void missingCellsAreShownAsDash() {
        Table table = new Table().left("ID").left("LAST-USED").row("t1", null);

        assertThat(print(table)).isEqualTo("""
                ID  LAST-USED
                t1  -
                """);
    }

    @Test
    void linesNeverEndInSpaces() {
        Table table = new Table().left("NAME").left("NOTE").row("a-rather-long-name", "x").row("b", "");

        assertThat(print(table).lines()).allSatisfy(line -> assertThat(line).doesNotEndWith(" "));
    }

    @Test
    void rowWithTheWrongNumberOfCellsIsRefused() {
        assertThatThrownBy(() -> new Table().left("A").left("B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("1 cells for 2 columns");
    }
}

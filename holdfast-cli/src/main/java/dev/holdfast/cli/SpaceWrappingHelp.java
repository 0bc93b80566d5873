package dev.holdfast.cli;

import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * picocli's help, with option descriptions wrapped at spaces only. picocli wraps them where the
 * JDK's line {@link java.text.BreakIterator} allows, which includes after a dot: a path such as
 * {@code ~/.config/containers/auth.json} came out as {@code ~/.} and {@code config/...} on two
 * lines.
 */
final class SpaceWrappingHelp extends Help {

  SpaceWrappingHelp(CommandSpec spec, ColorScheme scheme) {
    super(spec, scheme);
  }

  @Override
  public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals,
      ColorScheme scheme) {
    Column[] columns = super.createDefaultLayout(options, positionals, scheme).textTable().columns();
    return new Layout(scheme, new Table(scheme, columns), createDefaultOptionRenderer(),
        createDefaultParameterRenderer());
  }

  /** A text table whose wrapping columns break lines at spaces. */
  static final class Table extends TextTable {
    private final ColorScheme scheme;

    Table(ColorScheme scheme, Column[] columns) {
      super(scheme, columns);
      this.scheme = scheme;
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      Column column = columns()[col];
      if (column.overflow != Column.Overflow.WRAP || value == null) {
        return super.putValue(row, col, value);
      }
      String plain = value.plainString();
      String indent = " ".repeat(indentWrappedLines);
      int room = column.width - column.indent;
      int start = 0;
      int line = row;
      while (true) {
        while (start < plain.length() && plain.charAt(start) == ' ') {
          start++;
        }
        int end = lineEnd(plain, start, room);
        Text piece = value.substring(start, end);
        super.putValue(line, col, line == row ? piece : scheme.text(indent).concat(piece));
        start = end;
        if (plain.substring(start).isBlank()) {
          return new Cell(col, line);
        }
        addEmptyRow();
        line++;
        room = column.width - column.indent - indentWrappedLines;
      }
    }

    /** Where a line of at most {@code room} characters from {@code start} ends: at a space if it can. */
    private static int lineEnd(String text, int start, int room) {
      if (text.length() - start <= room) {
        return text.length();
      }
      int space = text.lastIndexOf(' ', start + room);
      if (space > start) {
        return space;
      }
      int next = text.indexOf(' ', start);
      return next < 0 ? text.length() : next; // one word longer than the line: picocli cuts it
    }
  }
}

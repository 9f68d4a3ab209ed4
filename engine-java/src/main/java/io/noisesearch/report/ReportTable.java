package io.noisesearch.report;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table padded to column width, so that it reads as well in a terminal as in a rendered report. */
public final class ReportTable {

    private ReportTable() {
    }

    /** The header, a rule, then one line per row; every row has the header's number of cells. */
    public static String render(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] widths = new int[header.size()];
        for (List<String> row : all) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("row " + row + " has " + row.size() + " cells, the header "
                        + header.size());
            }
            for (int c = 0; c < widths.length; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        List<String> rules = new ArrayList<>();
        for (int width : widths) {
            rules.add("-".repeat(width));
        }
        StringBuilder table = new StringBuilder();
        append(table, header, widths);
        append(table, rules, widths);
        rows.forEach(row -> append(table, row, widths));
        return table.toString();
    }

    private static void append(StringBuilder table, List<String> cells, int[] widths) {
        table.append('|');
        for (int c = 0; c < widths.length; c++) {
            table.append(' ').append(cells.get(c)).append(" ".repeat(widths[c] - cells.get(c).length())).append(" |");
        }
        table.append('\n');
    }
}

package org.genbench.notebook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A small immutable table of named columns: what the notebook shows for components, metrics, logs and samples. A
 * cell whose value is a table renders it as HTML; {@link #toString()} is an aligned text table.
 */
public final class Table implements Displayable {
    /** Rows beyond this are elided in the rendering (not in the data), so a 2000-row sample table stays readable. */
    private static final int SHOWN_ROWS = 40;

    private final List<String> columns;
    private final List<List<Object>> rows;

    public Table(List<String> columns, List<List<Object>> rows) {
        this.columns = List.copyOf(columns);
        if (this.columns.stream().distinct().count() != this.columns.size()) {
            throw new IllegalArgumentException("duplicate column names: " + columns);
        }
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> r : rows) {
            if (r.size() != this.columns.size()) {
                throw new IllegalArgumentException("a row has " + r.size() + " cells, the table " + this.columns.size()
                        + " columns " + this.columns);
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        this.rows = Collections.unmodifiableList(copy);
    }

    public static Builder builder(String... columns) {
        return new Builder(List.of(columns));
    }

    /** Collects rows, then {@link #build()}. */
    public static final class Builder {
        private final List<String> columns;
        private final List<List<Object>> rows = new ArrayList<>();

        private Builder(List<String> columns) {
            this.columns = columns;
        }

        public Builder row(Object... cells) {
            rows.add(Arrays.asList(cells));
            return this;
        }

        public Table build() {
            return new Table(columns, rows);
        }
    }

    public List<String> columns() {
        return columns;
    }

    public int size() {
        return rows.size();
    }

    public List<Object> row(int i) {
        return rows.get(i);
    }

    public List<List<Object>> rows() {
        return rows;
    }

    public Object get(int row, String column) {
        return rows.get(row).get(index(column));
    }

    public List<Object> column(String name) {
        int c = index(name);
        return rows.stream().map(r -> r.get(c)).toList();
    }

    /** A numeric column as doubles; fails naming the first cell that is not a number. */
    public double[] doubles(String name) {
        int c = index(name);
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = rows.get(i).get(c);
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("column '" + name + "' row " + i + " is not a number: " + v);
            }
            out[i] = n.doubleValue();
        }
        return out;
    }

    /** The rows whose {@code column} equals {@code value}. */
    public Table where(String column, Object value) {
        int c = index(column);
        return filter(r -> Objects.equals(r.get(c), value));
    }

    public Table filter(Predicate<List<Object>> keep) {
        return new Table(columns, rows.stream().filter(keep).toList());
    }

    public Table select(String... names) {
        int[] idx = Arrays.stream(names).mapToInt(this::index).toArray();
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> r : rows) {
            List<Object> nr = new ArrayList<>();
            for (int i : idx) {
                nr.add(r.get(i));
            }
            out.add(nr);
        }
        return new Table(List.of(names), out);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public Table sortBy(String column) {
        int c = index(column);
        List<List<Object>> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(r -> (Comparable) r.get(c), Comparator.nullsLast(Comparator.naturalOrder())));
        return new Table(columns, sorted);
    }

    public Table head(int n) {
        return new Table(columns, rows.subList(0, Math.min(n, rows.size())));
    }

    /**
     * One row per distinct value of {@code by}, in order of first appearance, with the mean, sample standard
     * deviation and count of {@code value}: a comparison across seeds.
     */
    public Table summarize(String by, String value) {
        int b = index(by);
        int v = index(value);
        Map<Object, List<Double>> groups = new LinkedHashMap<>();
        for (List<Object> r : rows) {
            Object x = r.get(v);
            if (!(x instanceof Number n)) {
                throw new IllegalArgumentException("column '" + value + "' holds a non-number: " + x);
            }
            groups.computeIfAbsent(r.get(b), k -> new ArrayList<>()).add(n.doubleValue());
        }
        Builder out = builder(by, value + " mean", value + " std", "n");
        groups.forEach((k, xs) -> {
            double mean = xs.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
            double ss = xs.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum();
            out.row(k, mean, xs.size() > 1 ? Math.sqrt(ss / (xs.size() - 1)) : 0.0, xs.size());
        });
        return out.build();
    }

    int index(String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + column + "'; columns: " + columns);
        }
        return i;
    }

    static String format(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e9) {
                return Long.toString((long) d);
            }
            return String.format(Locale.ROOT, Math.abs(d) >= 1e-3 && Math.abs(d) < 1e6 ? "%.4f" : "%.4e", d);
        }
        return String.valueOf(v);
    }

    public String html() {
        StringBuilder sb = new StringBuilder("<table class=\"genbench\">\n<thead><tr>");
        for (String c : columns) {
            sb.append("<th>").append(escape(c)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < rows.size(); i++) {
            if (i == SHOWN_ROWS && rows.size() > SHOWN_ROWS + 1) {
                sb.append("<tr><td colspan=\"").append(columns.size()).append("\">... ")
                        .append(rows.size() - SHOWN_ROWS).append(" more rows</td></tr>\n");
                break;
            }
            sb.append("<tr>");
            for (Object v : rows.get(i)) {
                sb.append(v instanceof Number ? "<td style=\"text-align:right\">" : "<td>").append(escape(format(v))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody>\n</table>\n<p>").append(rows.size()).append(" rows x ").append(columns.size())
                .append(" columns</p>").toString();
    }

    public String text() {
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns);
        int shown = rows.size() > SHOWN_ROWS + 1 ? SHOWN_ROWS : rows.size();
        for (int i = 0; i < shown; i++) {
            cells.add(rows.get(i).stream().map(Table::format).toList());
        }
        int[] width = new int[columns.size()];
        for (List<String> r : cells) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                line.append(String.format("%-" + width[i] + "s  ", cells.get(r).get(i)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) {
                for (int i = 0; i < width.length; i++) {
                    sb.append("-".repeat(width[i])).append(i == width.length - 1 ? "" : "  ");
                }
                sb.append('\n');
            }
        }
        if (shown < rows.size()) {
            sb.append("... ").append(rows.size() - shown).append(" more rows\n");
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/plain", text());
        m.put("text/html", html());
        return m;
    }

    @Override
    public String toString() {
        return text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Table t && t.columns.equals(columns) && t.rows.equals(rows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, rows);
    }
}

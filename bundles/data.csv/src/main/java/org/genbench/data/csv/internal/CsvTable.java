package org.genbench.data.csv.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.genbench.dataio.DataFileException;

/**
 * One delimited text file read whole: the header's names (or none), the feature columns as numbers, the label
 * column as text. Quoting follows RFC 4180 within a line ({@code "a,b"}, {@code ""} for a quote). Blank lines are
 * skipped. Every error names the file, the line and the column.
 */
final class CsvTable {
    final Path file;
    final List<String> header;
    final int rows;
    final int width;
    final double[] values;
    final List<String> labels;

    private CsvTable(Path file, List<String> header, int rows, int width, double[] values, List<String> labels) {
        this.file = file;
        this.header = header;
        this.rows = rows;
        this.width = width;
        this.values = values;
        this.labels = labels;
    }

    /**
     * Reads {@code file}: the feature columns {@code columns} (names or 0-based indices; all but the label when
     * null) and the label column {@code label} (name or index; none when null).
     */
    static CsvTable read(Path file, char delimiter, boolean hasHeader, List<Object> columns, Object label)
            throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            List<String> header = null;
            int fields = -1;
            int[] featureIdx = null;
            int labelIdx = -1;
            List<String> names = null;
            double[] values = new double[1024];
            int count = 0;
            int rows = 0;
            List<String> labels = label == null ? null : new ArrayList<>();
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                List<String> cells = split(line, delimiter, file, lineNo);
                if (fields < 0) {
                    fields = cells.size();
                    if (hasHeader) {
                        header = cells.stream().map(String::trim).toList();
                    }
                    names = header;
                    labelIdx = label == null ? -1 : column(label, names, fields, "label", file);
                    featureIdx = features(columns, names, fields, labelIdx, file);
                    if (hasHeader) {
                        continue;
                    }
                }
                if (cells.size() != fields) {
                    throw new DataFileException(file + ": line " + lineNo + " has " + cells.size() + " fields, but "
                            + (hasHeader ? "the header has " : "the first row has ") + fields
                            + " (delimiter '" + printable(delimiter) + "')");
                }
                if (count + featureIdx.length > values.length) {
                    values = Arrays.copyOf(values, Math.max(values.length * 2, count + featureIdx.length));
                }
                for (int c : featureIdx) {
                    values[count++] = number(cells.get(c), file, lineNo, c, names);
                }
                if (labels != null) {
                    labels.add(cells.get(labelIdx).trim());
                }
                rows++;
            }
            if (fields < 0 || rows == 0) {
                throw new DataFileException(file + ": no data rows" + (hasHeader && fields >= 0 ? " after the header"
                        : ""));
            }
            return new CsvTable(file, header, rows, featureIdx.length, Arrays.copyOf(values, count), labels);
        } catch (CharacterCodingException e) {
            throw new DataFileException(file + ": not UTF-8 text (" + e + ")", e);
        }
    }

    /** The column a setting names: a header name, or a 0-based index. */
    private static int column(Object ref, List<String> names, int fields, String setting, Path file)
            throws DataFileException {
        if (ref instanceof Number n) {
            int i = n.intValue();
            if (i < 0 || i >= fields) {
                throw new DataFileException(file + ": field '" + setting + "' names column " + i + ", but the file has "
                        + fields + " columns (0.." + (fields - 1) + ")");
            }
            return i;
        }
        String name = ref.toString();
        if (names == null) {
            throw new DataFileException(file + ": field '" + setting + "' names column '" + name + "', but the file "
                    + "has no header (header: false); name columns by their 0-based index");
        }
        int i = names.indexOf(name);
        if (i < 0) {
            throw new DataFileException(file + ": field '" + setting + "' names column '" + name + "', which the "
                    + "header does not have; columns: " + names);
        }
        if (names.lastIndexOf(name) != i) {
            throw new DataFileException(file + ": column '" + name + "' appears twice in the header; name it by "
                    + "its 0-based index");
        }
        return i;
    }

    private static int[] features(List<Object> columns, List<String> names, int fields, int labelIdx, Path file)
            throws DataFileException {
        if (columns == null) {
            int[] idx = new int[labelIdx >= 0 ? fields - 1 : fields];
            int k = 0;
            for (int c = 0; c < fields; c++) {
                if (c != labelIdx) {
                    idx[k++] = c;
                }
            }
            if (idx.length == 0) {
                throw new DataFileException(file + ": no feature columns left beside the label column");
            }
            return idx;
        }
        int[] idx = new int[columns.size()];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = column(columns.get(k), names, fields, "columns[" + k + "]", file);
            if (idx[k] == labelIdx) {
                throw new DataFileException(file + ": field 'columns[" + k + "]' names the label column");
            }
        }
        return idx;
    }

    private static double number(String cell, Path file, int lineNo, int c, List<String> names)
            throws DataFileException {
        String s = cell.trim();
        String where = file + ": line " + lineNo + ", column " + (names != null ? "'" + names.get(c) + "' (" + c + ")"
                : c);
        if (s.isEmpty()) {
            throw new DataFileException(where + " is empty; every feature cell must hold a number");
        }
        char last = s.charAt(s.length() - 1);
        double v;
        try {
            // Java's parser also takes 1f, 1d and hex floats; a data file meaning those is more likely an error.
            if (last == 'f' || last == 'F' || last == 'd' || last == 'D' || s.startsWith("0x") || s.startsWith("-0x")) {
                throw new NumberFormatException();
            }
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new DataFileException(where + ": '" + s + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new DataFileException(where + " is " + s + "; every value must be a finite number");
        }
        return v;
    }

    static List<String> split(String line, char delimiter, Path file, int lineNo) throws DataFileException {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"' && cell.toString().isBlank() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
                cell.setLength(0);
            } else if (ch == delimiter) {
                out.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new DataFileException(file + ": line " + lineNo + " has an unterminated quote (a quoted field must"
                    + " end on its line)");
        }
        out.add(cell.toString());
        return out;
    }

    private static String printable(char c) {
        return c == '\t' ? "\\t" : String.valueOf(c);
    }
}

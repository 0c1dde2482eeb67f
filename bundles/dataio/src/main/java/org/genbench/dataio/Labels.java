package org.genbench.dataio;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Class labels from their text. When every label is a non-negative integer it is its own class index (classes
 * 0..max); otherwise the distinct labels, sorted (as numbers when all are numbers, else as text), are numbered
 * from 0. Train and test are encoded together, so one label has one index in both.
 *
 * @param train      the training split's class indices
 * @param test       the test split's, or null when there is none
 * @param numClasses the number of classes
 * @param classes    the label text of each class index
 */
public record Labels(int[] train, int[] test, int numClasses, List<String> classes) {

    /** Encodes {@code test} (may be null) with {@code train}; {@code where} names the source in messages. */
    public static Labels encode(List<String> train, List<String> test, String where) throws DataFileException {
        List<String> all = new ArrayList<>(train);
        if (test != null) {
            all.addAll(test);
        }
        boolean indices = true;
        boolean numbers = true;
        long max = -1;
        for (int i = 0; i < all.size(); i++) {
            String s = all.get(i).trim();
            if (s.isEmpty()) {
                throw new DataFileException(where + ": the label of row " + (i < train.size() ? i : i - train.size())
                        + (i < train.size() ? "" : " of the test input") + " is empty");
            }
            try {
                long v = Long.parseLong(s);
                if (v < 0 || v >= Integer.MAX_VALUE) {
                    indices = false;
                }
                max = Math.max(max, v);
            } catch (NumberFormatException e) {
                indices = false;
                try {
                    Double.parseDouble(s);
                } catch (NumberFormatException e2) {
                    numbers = false;
                }
            }
        }
        Map<String, Integer> index = new TreeMap<>(numbers && !indices ? Comparator.comparingDouble(Double::parseDouble)
                .thenComparing(Comparator.naturalOrder()) : Comparator.<String>naturalOrder());
        List<String> classes = new ArrayList<>();
        if (indices) {
            for (int c = 0; c <= max; c++) {
                classes.add(Integer.toString(c));
            }
        } else {
            all.forEach(s -> index.put(s.trim(), 0));
            int c = 0;
            for (Map.Entry<String, Integer> e : index.entrySet()) {
                e.setValue(c++);
                classes.add(e.getKey());
            }
        }
        int[] tr = new int[train.size()];
        for (int i = 0; i < tr.length; i++) {
            String s = train.get(i).trim();
            tr[i] = indices ? Integer.parseInt(s) : index.get(s);
        }
        int[] te = null;
        if (test != null) {
            te = new int[test.size()];
            for (int i = 0; i < te.length; i++) {
                String s = test.get(i).trim();
                te[i] = indices ? Integer.parseInt(s) : index.get(s);
            }
        }
        return new Labels(tr, te, classes.size(), List.copyOf(classes));
    }
}

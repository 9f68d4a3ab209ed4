package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The samples every configuration of a sweep generates: {@code perClass} of each class in {@code classes} (null:
 * every class of the model), classes in order, then repeats; sample i has seed {@code firstSeed + i}, as
 * {@code generate} numbers them.
 */
public record EvaluationSet(int perClass, long firstSeed, List<Integer> classes) {

    public static final int DEFAULT_PER_CLASS = 10;

    public EvaluationSet {
        classes = classes == null ? null : List.copyOf(classes);
    }

    /** The classes generated for a model with {@code modelClasses} classes. */
    public List<Integer> classesOf(int modelClasses) {
        if (classes != null) {
            return classes;
        }
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c < modelClasses; c++) {
            all.add(c);
        }
        return all;
    }

    public int samples(int modelClasses) {
        return classesOf(modelClasses).size() * perClass;
    }
}

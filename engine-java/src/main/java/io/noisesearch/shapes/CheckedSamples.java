package io.noisesearch.shapes;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples of the shapes track read from a {@code .npz} and judged by the checker: images uint8 [N,32,32,3] as
 * {@code images} (shapes-data) or {@code arr_0} (generate), captions as a unicode array [N] named {@code captions}
 * or {@code prompts}. A file of any other layout, or a caption outside the grammar, is one line naming the entry.
 */
public final class CheckedSamples {

    private CheckedSamples() {
    }

    /** Whether the file holds shapes samples (images and captions) rather than class-labelled ones. */
    public static boolean applies(Npz npz) {
        return npz.has("captions") || npz.has("prompts");
    }

    /** Judges every sample of the file. */
    public static CheckSummary check(Npz npz) {
        NpyArray images = entry(npz, "images", "arr_0");
        NpyArray captions = entry(npz, "captions", "prompts");
        String imagesName = npz.has("images") ? "images" : "arr_0";
        String captionsName = npz.has("captions") ? "captions" : "prompts";
        if (images.dtype() != NpyArray.Dtype.UINT8 || images.rank() != 4 || images.dim(1) != Scene.SIDE
                || images.dim(2) != Scene.SIDE || images.dim(3) != Scene.CHANNELS) {
            throw new InvalidRequestException(npz.file() + " entry '" + imagesName + "': expected uint8 [N,32,32,3], got "
                    + images.descr() + " " + images.shapeString());
        }
        if (captions.dtype() != NpyArray.Dtype.UNICODE || captions.rank() != 1) {
            throw new InvalidRequestException(npz.file() + " entry '" + captionsName + "': expected a unicode string"
                    + " array [N] (numpy dtype '<U..'), got " + captions.descr() + " " + captions.shapeString());
        }
        int n = Math.toIntExact(images.dim(0));
        if (captions.dim(0) != n) {
            throw new InvalidRequestException(npz.file() + ": " + captions.dim(0) + " captions for " + n + " images");
        }
        if (n == 0) {
            throw new InvalidRequestException(npz.file() + ": no samples to check");
        }
        String[] texts = captions.unicode();
        List<Caption> parsed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                parsed.add(Caption.parse(texts[i]));
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException(npz.file() + " entry '" + captionsName + "' index " + i + ": "
                        + e.getMessage(), e);
            }
        }
        byte[] pixels = images.uint8();
        CheckSummary summary = new CheckSummary();
        for (int i = 0; i < n; i++) {
            summary.add(ShapeChecker.judge(pixels, i * Scene.BYTES, parsed.get(i)));
        }
        return summary;
    }

    private static NpyArray entry(Npz npz, String name, String other) {
        if (npz.has(name)) {
            return npz.get(name);
        }
        if (npz.has(other)) {
            return npz.get(other);
        }
        throw new InvalidRequestException(npz.file() + ": no entry '" + name + "' or '" + other + "' (entries: "
                + (npz.names().isEmpty() ? "none" : String.join(", ", npz.names())) + ")");
    }

    /**
     * The JSON document of a check: the checker's settings, per row (categories, then all) the samples and each
     * aspect's judged, passed and rate, and every sample's verdict with the objects found.
     */
    public static Map<String, Object> document(String samples, CheckSummary summary) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("samples", samples);
        doc.put("count", summary.all().samples());
        Map<String, Object> checker = new LinkedHashMap<>();
        checker.put("colourDistance", ShapeChecker.COLOUR_DISTANCE);
        checker.put("minArea", ShapeChecker.MIN_AREA);
        checker.put("triangleCentroid", ShapeChecker.TRIANGLE_CENTROID);
        checker.put("squareFill", ShapeChecker.SQUARE_FILL);
        checker.put("relationMargin", ShapeChecker.RELATION_MARGIN);
        doc.put("checker", checker);
        Map<String, Object> rows = new LinkedHashMap<>();
        summary.rows().forEach((label, tally) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("samples", tally.samples());
            Map<String, Object> aspects = new LinkedHashMap<>();
            for (Aspect aspect : Aspect.values()) {
                if (tally.judged(aspect) > 0) {
                    Map<String, Object> cell = new LinkedHashMap<>();
                    cell.put("judged", tally.judged(aspect));
                    cell.put("passed", tally.passed(aspect));
                    cell.put("rate", tally.rate(aspect));
                    aspects.put(aspect.label(), cell);
                }
            }
            row.put("aspects", aspects);
            rows.put(label, row);
        });
        doc.put("categories", rows);
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (ShapeChecker.Judgement j : summary.judgements()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("caption", j.caption().text());
            v.put("category", j.caption().category().label());
            Map<String, Boolean> aspects = new LinkedHashMap<>();
            j.aspects().forEach((a, passed) -> aspects.put(a.label(), passed));
            v.put("aspects", aspects);
            v.put("found", j.found().stream().map(f -> List.of(f.colour().word(), f.shape().word(), f.left(), f.top(),
                    f.right(), f.bottom(), f.area())).toList());
            verdicts.add(v);
        }
        doc.put("judgements", verdicts);
        return doc;
    }
}

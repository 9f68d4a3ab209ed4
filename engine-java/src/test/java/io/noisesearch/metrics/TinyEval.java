package io.noisesearch.metrics;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The tiny evaluation network of src/test/resources/tiny-eval, a test fixture made by a script. */
public final class TinyEval {

    private TinyEval() {
    }

    /** Its model folder (manifest.json and model.onnx); a missing fixture says how to make it. */
    public static Path folder() {
        URL url = TinyEval.class.getResource("/tiny-eval/manifest.json");
        if (url == null) {
            throw new AssertionError("test fixture tiny-eval is missing from src/test/resources; make it with"
                    + " '/usr/bin/python3 scripts/train/make_test_fixtures.py'");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}

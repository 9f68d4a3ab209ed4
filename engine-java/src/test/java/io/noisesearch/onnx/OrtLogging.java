package io.noisesearch.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;

/**
 * Opens an ONNX file in a process of its own: {@code engine} through {@link OnnxModel} (the model folder given),
 * {@code plain} with ONNX Runtime's defaults (the model file given), so a test can read what each prints to stderr.
 */
final class OrtLogging {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("engine")) {
            OnnxModel.open(Path.of(args[1]), 1).close();
        } else {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = OrtEnvironment.getEnvironment().createSession(args[1], options)) {
                System.out.println(session.getInputNames());
            }
        }
    }
}

package io.noisesearch.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A process that holds an output folder and rewrites {@code data.bin} in it forever, each version 8 MiB of one byte
 * value (1, 2, 3, ...): a test kills it mid-write and checks what is left. Prints "written" after each version.
 */
final class OutputWriter {

    static final int SIZE = 8 << 20;

    public static void main(String[] args) throws IOException {
        try (OutputDirectory out = OutputDirectory.open(Path.of(args[0]), "--out")) {
            byte[] data = new byte[SIZE];
            for (int version = 1; ; version++) {
                Arrays.fill(data, (byte) version);
                out.write("data.bin", file -> {
                    try (var stream = Files.newOutputStream(file)) {
                        for (int i = 0; i < data.length; i += 4096) {
                            stream.write(data, i, 4096);
                        }
                    }
                });
                System.out.println("written");
                System.out.flush();
            }
        }
    }
}

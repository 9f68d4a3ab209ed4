package io.noisesearch.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--port -1              | --port",
            "--port 70000           | --port",
            "--concurrency 0        | --concurrency",
            "--queue -1             | --queue",
            "--grace -5             | --grace",
            "--max-body 10          | --max-body",
            "--preload ../etc       | --preload",
            "--preload mnist-eval   | --preload",
            "--threads -1           | --threads",
            "--batch-delay-us -1    | --batch-delay-us",
            "--batch-delay-us 5000000 | --batch-delay-us",
            "--batch-max-rows 0     | --batch-max-rows",
            "--batch-calls -1       | --batch-calls",
            "--batch-calls 1000     | --batch-calls",
    })
    void badOptionsEndInOneLineNamingTheOptionAndExit2(String options, String named) {
        String[] args = ("serve --port 0 " + options).split(" ");
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().startsWith("noisesearch: ").contains(named);
    }

    @Test
    void aPortInUseIsAUsageError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun run = CliRun.of("serve", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
            assertThat(run.errLines()).singleElement().asString().contains("--port " + taken.getLocalPort());
        }
    }
}

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Turns the JUnit XML reports of a gpu-check run into tests.txt (one line per test) and tests.json (counts and
 * every test with its status and message). Compiled by scripts/gpu-bundle; run by scripts/gpu-check with only the
 * bundled runtime: java.xml, no dependencies. Usage: GpuReport REPORTS_DIR OUT_DIR
 */
public final class GpuReport {

    record Result(String className, String name, String status, String message, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        Path reports = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Result> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(reports)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
                read(file, results);
            }
        }
        long passed = results.stream().filter(r -> r.status().equals("passed")).count();
        long failed = results.stream().filter(r -> r.status().equals("failed")).count();
        long skipped = results.stream().filter(r -> r.status().equals("skipped")).count();

        StringBuilder text = new StringBuilder();
        StringBuilder json = new StringBuilder();
        json.append("{\"passed\": ").append(passed).append(", \"failed\": ").append(failed)
                .append(", \"skipped\": ").append(skipped).append(", \"tests\": [");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            text.append(String.format("%-8s %s.%s (%.3f s)%s%n", r.status().toUpperCase(), r.className(), r.name(),
                    r.seconds(), r.message().isEmpty() ? "" : ": " + firstLine(r.message())));
            json.append(i == 0 ? "\n  " : ",\n  ").append("{\"class\": ").append(quote(r.className()))
                    .append(", \"test\": ").append(quote(r.name())).append(", \"status\": ").append(quote(r.status()))
                    .append(", \"seconds\": ").append(r.seconds()).append(", \"message\": ")
                    .append(quote(firstLine(r.message()))).append('}');
        }
        json.append("\n]}\n");
        text.append(String.format("%d passed, %d failed, %d skipped%n", passed, failed, skipped));
        Files.writeString(out.resolve("tests.txt"), text);
        Files.writeString(out.resolve("tests.json"), json);
        System.out.print(text);
        System.exit(failed > 0 || passed == 0 ? 1 : 0);
    }

    private static void read(Path file, List<Result> results) throws Exception {
        NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile())
                .getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            String status = "passed";
            String message = "";
            for (String tag : new String[] {"failure", "error", "skipped"}) {
                NodeList found = c.getElementsByTagName(tag);
                if (found.getLength() > 0) {
                    Element e = (Element) found.item(0);
                    status = tag.equals("skipped") ? "skipped" : "failed";
                    message = e.hasAttribute("message") ? e.getAttribute("message") : e.getTextContent().strip();
                    break;
                }
            }
            String time = c.getAttribute("time");
            results.add(new Result(c.getAttribute("classname"), c.getAttribute("name"), status, message,
                    time.isEmpty() ? 0 : Double.parseDouble(time.replace(",", ""))));
        }
    }

    private static String firstLine(String s) {
        int newline = s.indexOf('\n');
        return newline < 0 ? s : s.substring(0, newline);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(ch < 0x20 ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
            }
        }
        return b.append('"').toString();
    }

    private GpuReport() {
    }
}

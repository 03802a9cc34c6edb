package io.recurate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.inspect.report.CurationReport;
import io.recurate.inspect.report.ReportPage;
import io.recurate.topics.TopicPlan;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write OUT/report.html (one self-contained page: per-pass counts, score histograms, the decay of "
                + "the removed and violating fractions against the theory's prediction, model lineage, the convergence "
                + "point) and OUT/report.json with the same numbers.",
                "Labels (metadata field --label-field = acceptable|violating), when the corpus has them, give recall, "
                        + "false-positive rate and the theory's prediction."})
final class ReportCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = {"--out", "-o"}, defaultValue = "recurate-report", paramLabel = "DIR",
            description = "Folder to write into (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--label-field", defaultValue = "label", description = "Metadata field with the labels (default: ${DEFAULT-VALUE}).")
    String labelField;

    @Option(names = "--delta", defaultValue = "0.001",
            description = "Convergence: a pass that removes less than this fraction (default: ${DEFAULT-VALUE}).")
    double delta;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter printer = spec.commandLine().getOut();
        ClusterOptions.Cluster resolved = cluster.resolve();
        CurationReport report = CurationReport.build(resolved.kafkaConfig(),
                resolved.topics(), labelField, delta);
        Files.createDirectories(out);
        Path html = out.resolve("report.html");
        Path json = out.resolve("report.json");
        Files.writeString(html, ReportPage.render(report), StandardCharsets.UTF_8);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report.toJson());
        printer.printf("Report of %d pass(es) in namespace %s: %s and %s%n", report.passes().size(), report.namespace(),
                html.toAbsolutePath(), json.toAbsolutePath());
        printer.flush();
        return 0;
    }
}

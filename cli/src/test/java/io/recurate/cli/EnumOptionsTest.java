package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class EnumOptionsTest {

    @Test
    void aWrongValueOfAnyEnumOptionIsAnsweredWithTheValidOnes() {
        List<String> checked = new ArrayList<>();
        visit(Main.commandLine(), checked);
        assertThat(checked).as("enum options found").contains("recurate publish --on-error", "recurate export --format");
    }

    @Test
    void enumValuesAreCaseInsensitive() {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("publish", "--on-error", "fail", "x.jsonl");
        Object value = parsed.subcommand().matchedOptionValue("--on-error", null);
        assertThat(String.valueOf(value)).isEqualTo("FAIL");
    }

    private static void visit(CommandLine command, List<String> checked) {
        for (OptionSpec option : command.getCommandSpec().options()) {
            Class<?> type = option.typeInfo().isCollection() ? option.typeInfo().getAuxiliaryTypes()[0] : option.type();
            if (!type.isEnum()) {
                continue;
            }
            String name = command.getCommandSpec().qualifiedName() + " " + option.longestName();
            CommandLine fresh = Main.commandLine();
            StringWriter err = new StringWriter();
            fresh.setErr(new PrintWriter(err));
            fresh.setOut(new PrintWriter(new StringWriter()));
            List<String> args = new ArrayList<>(Arrays.asList(command.getCommandSpec().qualifiedName().split(" ")));
            args.remove(0); // "recurate"
            args.add(option.longestName());
            args.add("no-such-value");
            int code = fresh.execute(args.toArray(String[]::new));
            String valid = Arrays.stream(type.getEnumConstants()).map(Object::toString).toList().toString();
            assertThat(code).as(name).isEqualTo(2);
            assertThat(err.toString()).as(name).contains("no-such-value").contains("expected one of " + valid)
                    .doesNotContain("No enum constant");
            checked.add(name);
        }
        command.getSubcommands().values().forEach(sub -> visit(sub, checked));
    }
}

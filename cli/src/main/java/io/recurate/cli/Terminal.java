package io.recurate.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Whether this process's stderr is a terminal, and how wide it is (asked of the shell: Java 17 cannot tell for stderr). */
interface Terminal {
    Terminal NONE = new Terminal() {
        @Override
        public boolean isTerminal() {
            return false;
        }

        @Override
        public int columns() {
            return 160;
        }
    };

    boolean isTerminal();

    int columns();

    static Terminal ofStderr() {
        String term = System.getenv("TERM");
        if (term == null || term.equals("dumb") || !shell("[ -t 2 ]").isPresent()) {
            return NONE;
        }
        return new Terminal() {
            @Override
            public boolean isTerminal() {
                return true;
            }

            @Override
            public int columns() {
                // Asked each time: the window may have been resized since the last bar.
                return shell("stty size < /dev/tty 2>/dev/null").map(s -> s.trim().split("\\s+"))
                        .filter(p -> p.length == 2 && p[1].matches("\\d+")).map(p -> Integer.parseInt(p[1]))
                        .orElseGet(() -> {
                            String columns = System.getenv("COLUMNS");
                            return columns != null && columns.matches("\\d+") ? Integer.parseInt(columns) : 80;
                        });
            }
        };
    }

    /** The output of a shell command that inherits this process's stderr, if it exits 0 within a second. */
    private static java.util.Optional<String> shell(String command) {
        try {
            Process p = new ProcessBuilder(List.of("sh", "-c", command)).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(1, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return java.util.Optional.empty();
            }
            return p.exitValue() == 0 ? java.util.Optional.of(out) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }
}

package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The build's check that dependencies point one way (README, Modules): every module sits on a layer and
 * may depend, in any scope, only on modules of lower layers. A new module must be given its layer here.
 */
class ModuleLayersTest {
    /** Layer of each module; the order of README's module table. */
    static final Map<String, Integer> LAYERS = new LinkedHashMap<>();

    static {
        layer(0, "schemas", "service", "corpus-io");
        layer(1, "embedded", "topic-admin", "model-core");
        layer(2, "ledger");
        layer(3, "streams-scorer");
        layer(4, "curation");
        layer(5, "inspect", "trainer-worker", "cli-options");
        layer(6, "bench");
        layer(7, "cli");
        layer(8, "src-test-it");
    }

    private static void layer(int layer, String... modules) {
        for (String m : modules) {
            LAYERS.put(m, layer);
        }
    }

    @Test
    void everyModuleDependsOnlyOnLowerLayers() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> modules = texts(root.resolve("pom.xml"), "module");
        assertThat(modules).as("modules of the root pom").isNotEmpty();
        assertThat(LAYERS.keySet()).as("every module has a layer, and every layer's module exists")
                .containsExactlyInAnyOrderElementsOf(modules);
        List<String> violations = new ArrayList<>();
        for (String module : modules) {
            for (String dependency : recurateDependencies(root.resolve(module).resolve("pom.xml"))) {
                Integer layer = LAYERS.get(dependency);
                if (layer == null || layer >= LAYERS.get(module)) {
                    violations.add(module + " (layer " + LAYERS.get(module) + ") depends on " + dependency
                            + " (layer " + layer + ")");
                }
            }
        }
        assertThat(violations).as("dependencies that point up or sideways").isEmpty();
    }

    @Test
    void theCliHasNoPackagesOfLogic() throws Exception {
        // Logic lives in the modules below; what is left here parses options, calls them and prints.
        Path main = Path.of("src/main/java/io/recurate/cli");
        try (var files = Files.list(main)) {
            List<String> packages = files.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
            assertThat(packages).as("sub-packages of the cli (logic belongs in its own module)").isEmpty();
        }
    }

    private static List<String> recurateDependencies(Path pom) throws Exception {
        List<String> out = new ArrayList<>();
        NodeList deps = parse(pom).getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (d.getParentNode().getParentNode().getNodeName().equals("dependencyManagement")) {
                continue;
            }
            String group = d.getElementsByTagName("groupId").item(0).getTextContent().trim();
            String artifact = d.getElementsByTagName("artifactId").item(0).getTextContent().trim();
            if (group.equals("io.recurate") && artifact.startsWith("recurate-")) {
                out.add(artifact.substring("recurate-".length()));
            }
        }
        return out;
    }

    private static List<String> texts(Path pom, String tag) throws Exception {
        NodeList nodes = parse(pom).getElementsByTagName(tag);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }

    private static Element parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }
}

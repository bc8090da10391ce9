package dev.postroom.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks that a store module runs the whole suite: every contract of this package has a concrete
 * subclass among the store's test classes, named {@code *Test} so that Surefire runs it. Each store
 * calls it from one test, so a contract added to the TCK fails every store's build until the store
 * subclasses it, instead of going unrun:
 * <pre>{@code
 * class SqliteContractCoverageTest {
 *     @Test
 *     void everyContractHasASubclassHere() {
 *         ContractCoverage.assertEveryContractRunsBeside(SqliteContractCoverageTest.class);
 *     }
 * }
 * }</pre>
 * Nothing is listed by hand: the contracts are the abstract {@code *Contract} classes found in the
 * TCK's own directory or jar on the classpath, and the subclasses are the top-level classes found
 * where the given test class was loaded from (a store's {@code target/test-classes}).
 */
public final class ContractCoverage {
    private static final String CONTRACT = "Contract";

    private ContractCoverage() {
    }

    /** The contracts of the suite: the abstract classes of this package whose name ends in {@code Contract}, by name. */
    public static List<Class<?>> contracts() {
        Path tck = locationOf(ContractSupport.class);
        List<Class<?>> contracts = classesIn(tck, ContractSupport.class.getPackageName(), ContractSupport.class.getClassLoader())
                .stream()
                .filter(type -> type.getSimpleName().endsWith(CONTRACT) && Modifier.isAbstract(type.getModifiers()))
                .sorted(Comparator.comparing(Class::getSimpleName))
                .toList();
        if (contracts.isEmpty()) {
            // A scan that finds nothing would pass every store: say so rather than check nothing.
            throw new IllegalStateException("found no *Contract class in " + tck);
        }
        return contracts;
    }

    /**
     * The contracts with no concrete subclass named {@code *Test} among the top-level classes that
     * were loaded from the same directory or jar as {@code testClass}.
     */
    public static List<Class<?>> missingBeside(Class<?> testClass) {
        List<Class<?>> runnable = testClassesBeside(testClass).stream().filter(ContractCoverage::runBySurefire).toList();
        return contracts().stream().filter(contract -> runnable.stream().noneMatch(contract::isAssignableFrom)).toList();
    }

    /**
     * Fails, naming each contract, when one has no concrete subclass named {@code *Test} beside
     * {@code testClass}; a subclass that Surefire would not run (abstract, or named otherwise) is
     * named too.
     *
     * @throws AssertionError when a contract does not run against the store
     */
    public static void assertEveryContractRunsBeside(Class<?> testClass) {
        List<Class<?>> missing = missingBeside(testClass);
        if (missing.isEmpty()) {
            return;
        }
        List<Class<?>> beside = testClassesBeside(testClass);
        StringBuilder message = new StringBuilder("the tests in ").append(locationOf(testClass))
                .append(" do not run every TCK contract; add a concrete subclass named *Test of each of:");
        for (Class<?> contract : missing) {
            message.append("\n  ").append(contract.getSimpleName());
            String notRun = beside.stream().filter(type -> type != contract && contract.isAssignableFrom(type))
                    .map(Class::getSimpleName).sorted().collect(Collectors.joining(", "));
            if (!notRun.isEmpty()) {
                message.append(" (Surefire does not run ").append(notRun).append(": abstract, or not named *Test)");
            }
        }
        throw new AssertionError(message.toString());
    }

    private static boolean runBySurefire(Class<?> type) {
        return type.getSimpleName().endsWith("Test") && !Modifier.isAbstract(type.getModifiers()) && !type.isInterface();
    }

    private static List<Class<?>> testClassesBeside(Class<?> testClass) {
        return classesIn(locationOf(testClass), "", testClass.getClassLoader());
    }

    /** Where {@code type} was loaded from: a directory of class files or a jar. */
    private static Path locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }

    /** The top-level classes under {@code packageName} (and its subpackages) in a directory or jar, loaded without running their initializers. */
    private static List<Class<?>> classesIn(Path location, String packageName, ClassLoader loader) {
        String folder = packageName.replace('.', '/');
        try {
            if (Files.isDirectory(location)) {
                return classesUnder(location, location.resolve(folder), loader);
            }
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                Path root = jar.getPath("/");
                return classesUnder(root, root.resolve(folder), loader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the classes in " + location, e);
        }
    }

    private static List<Class<?>> classesUnder(Path root, Path folder, ClassLoader loader) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                name = name.substring(0, name.length() - ".class".length());
                if (name.contains("$") || name.endsWith("package-info") || name.endsWith("module-info")) {
                    continue; // nested classes and package or module descriptions: Surefire runs none of them
                }
                try {
                    classes.add(Class.forName(name, false, loader));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(file + " is not loadable as " + name, e);
                }
            }
        }
        return classes;
    }
}

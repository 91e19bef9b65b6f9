package dev.warren.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.warren.net.ListenerOptions;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The map of docs/ARCHITECTURE.md as executable rules. Each rule's {@code because} tells the developer
 * who broke it what to do instead.
 */
class ArchitectureTest {
    private static final String TASKLETS = "dev.warren.tasklets..";
    private static final String NET = "dev.warren.net..";
    private static final String STREAMING = "dev.warren.streaming..";
    private static final String CONFIG = "dev.warren.config..";
    private static final String KAFKA = "dev.warren.kafka..";
    private static final String DEMOS = "dev.warren.demos..";
    private static final String BENCH = "dev.warren.bench..";
    private static final String TESTS = "dev.warren.tests..";
    private static final String[] LIBRARY = {TASKLETS, NET, STREAMING, CONFIG};

    /**
     * Library classes allowed to use {@code synchronized} blocks, each with the reason nothing inside can
     * block. Empty today; a new entry needs a comment here.
     */
    private static final Set<String> SYNCHRONIZED_ALLOWED = Set.of();

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the tasklets test-jar
                .importPackages("dev.warren");
        assertTrue(classes.size() > 50, "imported only " + classes.size() + " classes");
    }

    @Test
    void modulesDependOnlyDownwards() {
        noClasses()
                .that()
                .resideInAPackage(TASKLETS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(NET, STREAMING, CONFIG, DEMOS, BENCH, TESTS)
                .because("tasklets is the bottom layer (docs/ARCHITECTURE.md): publish through the observe "
                        + "registry instead of calling up")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(NET)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(STREAMING, CONFIG, DEMOS, BENCH, TESTS)
                .because("net sits below streaming and the demos; move shared code down into net or tasklets")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(STREAMING)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CONFIG, DEMOS, BENCH, TESTS)
                .because("streaming is a library; demos use it, not the other way round")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(CONFIG)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(DEMOS, BENCH, TESTS)
                .because("config sits on the library modules and builds their builders; the demos use it")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.warren.tasklets.observe..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.warren.tasklets")
                .because("observe is below the runtime: the runtime registers its reports, observe never "
                        + "reaches into it")
                .check(classes);
    }

    @Test
    void kafkaStaysOutOfTheCore() {
        noClasses()
                .that()
                .resideInAnyPackage(TASKLETS, NET, STREAMING, CONFIG)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(KAFKA, "org.apache.kafka..")
                .because("kafka-clients lives only in the kafka module (README, Dependencies): the core "
                        + "modules run without it")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(KAFKA)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CONFIG, DEMOS, BENCH, TESTS)
                .because("the kafka module sits on streaming; the demos use it")
                .check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.warren.(**)")
                .should()
                .beFreeOfCycles()
                .because("a cycle between packages makes them one package; move the shared type down")
                .check(classes);
    }

    @Test
    void implementationClassesStayBehindThePublicApi() {
        noClasses()
                .that()
                .resideInAnyPackage(LIBRARY)
                .and()
                .haveSimpleNameEndingWith("Impl")
                .should()
                .bePublic()
                .because("the public API is small interfaces, records and builders; implementations are "
                        + "package-private (docs/ARCHITECTURE.md, style)")
                .check(classes);
        noClasses()
                .that()
                .resideInAnyPackage(LIBRARY)
                .and()
                .areNotPublic()
                .should()
                .onlyBeAccessed()
                .byClassesThat()
                .resideOutsideOfPackage("dev.warren..")
                .orShould()
                .bePublic()
                .because("package-private classes are implementation; other modules reach them only "
                        + "through the public API")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void virtualThreadsAreCreatedOnlyByTheTaskletRuntime() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.warren.tasklets", BENCH)
                .and()
                .doNotHaveFullyQualifiedName("dev.warren.demos.RawVirtualThreads") // the demo's baseline
                .should()
                .callMethod(Thread.class, "ofVirtual")
                .orShould()
                .callMethod(Thread.class, "startVirtualThread", Runnable.class)
                .orShould()
                .callMethod(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor")
                .because("every tasklet is registered with its parent: start one with Tasklets.start or "
                        + "TaskletScope.fork, never a bare virtual thread")
                .check(classes);
    }

    /** The classes that move a connection's bytes (docs/ARCHITECTURE.md, "Connection"). */
    private static final String[] TRANSPORTS = {"dev.warren.net.SocketTransport", "dev.warren.net.ReactorIo"};

    @Test
    void onlyTheTransportsReadAndWriteSockets() {
        DescribedPredicate<JavaMethodCall> socketIo =
                new DescribedPredicate<>("a socket's streams or a socket channel's read or write") {
                    @Override
                    public boolean test(JavaMethodCall call) {
                        JavaClass owner = call.getTargetOwner();
                        String n = call.getName();
                        return (owner.isAssignableTo(Socket.class)
                                        && (n.equals("getInputStream") || n.equals("getOutputStream")))
                                || (owner.isAssignableTo(SocketChannel.class)
                                        && (n.equals("read") || n.equals("write")));
                    }
                };
        noClasses()
                .that()
                .resideInAnyPackage(LIBRARY)
                .and()
                .doNotHaveFullyQualifiedName(TRANSPORTS[0])
                .and()
                .doNotHaveFullyQualifiedName(TRANSPORTS[1])
                .should()
                .callMethodWhere(socketIo)
                .because("a connection's bytes move through its Transport (SocketTransport, ReactorIo; TLS "
                        + "will be a third): read and write a Connection, or add a Transport implementation")
                .check(classes);
    }

    @Test
    void everyServerBuilderTakesTheListenerOptions() {
        ArchCondition<JavaClass> takesListenerOptions = new ArchCondition<>("have a method listener(ListenerOptions)") {
            @Override
            public void check(JavaClass builder, ConditionEvents events) {
                boolean has = builder.getMethods().stream()
                        .anyMatch(m -> m.getName().equals("listener")
                                && m.getModifiers().contains(JavaModifier.PUBLIC)
                                && m.getRawParameterTypes().size() == 1
                                && m.getRawParameterTypes().get(0).isEquivalentTo(ListenerOptions.class));
                events.add(new SimpleConditionEvent(
                        builder, has, builder.getName() + (has ? " has" : " has no") + " listener(ListenerOptions)"));
            }
        };
        classes()
                .that()
                .resideInAnyPackage(LIBRARY)
                .and()
                .haveSimpleName("Builder")
                .and(new DescribedPredicate<JavaClass>("builders of a server or receiver") {
                    @Override
                    public boolean test(JavaClass c) {
                        return c.getEnclosingClass()
                                .map(e -> e.getSimpleName().endsWith("Server")
                                        || e.getSimpleName().endsWith("Receiver"))
                                .orElse(false);
                    }
                })
                .should(takesListenerOptions)
                .because("what every listener has is one checked value (ListenerOptions); a server builder "
                        + "takes it and keeps only its protocol's own options")
                .check(classes);
    }

    @Test
    void libraryModulesDoNotPrint() {
        noClasses()
                .that()
                .resideInAnyPackage(LIBRARY)
                .should()
                .accessField(System.class, "out")
                .orShould()
                .accessField(System.class, "err")
                .because("libraries log through slf4j (or return text); only demos print")
                .check(classes);
    }

    @Test
    void libraryMethodsAreNeverSynchronized() {
        methods()
                .that()
                .areDeclaredInClassesThat()
                .resideInAnyPackage(LIBRARY)
                .should()
                .notHaveModifier(JavaModifier.SYNCHRONIZED)
                .because("a virtual thread that blocks inside synchronized pins its carrier on JDK 21-23: "
                        + "use a ReentrantLock")
                .check(classes);
    }

    /** Synchronized blocks are invisible to ArchUnit's class model, so the sources are read instead. */
    @Test
    void librarySourcesHaveNoSynchronizedBlocks() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Pattern block = Pattern.compile("\\bsynchronized\\s*\\(");
        List<String> offenders = new ArrayList<>();
        for (String module : List.of("tasklets", "net", "streaming")) {
            Path src = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    String cls = src.relativize(f).toString().replace('/', '.').replaceAll("\\.java$", "");
                    if (block.matcher(text).find() && !SYNCHRONIZED_ALLOWED.contains(cls)) {
                        offenders.add(cls);
                    }
                }
            }
        }
        assertTrue(
                offenders.isEmpty(),
                "synchronized blocks in " + offenders + ": a virtual thread that blocks "
                        + "inside one pins its carrier on JDK 21-23. Use a ReentrantLock, or, if nothing inside can ever "
                        + "block, add the class to SYNCHRONIZED_ALLOWED in ArchitectureTest with the reason.");
    }
}
